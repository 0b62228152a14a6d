package io.scarcity.plugins.ucb;

import static io.scarcity.api.OptionChecks.above;
import static io.scarcity.api.OptionChecks.atLeast;
import static io.scarcity.api.OptionChecks.inOpenClosed;
import static io.scarcity.api.OptionChecks.notNull;

import io.scarcity.api.InvalidOptionException;
import io.scarcity.api.PluginConfig;
import java.util.Objects;

/**
 * Validated options of the UCB router.
 *
 * @param k experts activated per batch, >= 1 (all candidates if k is at least their number)
 * @param exploration UCB1's constant c of the bonus {@code c * sqrt(2 ln N / n_i)}, >= 0 ({@code context: none})
 * @param discount factor applied to every arm's statistics on each route, in (0, 1]; 1 = stationary
 * @param weighting how the active experts' mixture weights are set
 * @param context {@code none} (UCB1) or {@code linear} (LinUCB over {@link io.scarcity.api.RoutingFeatures})
 * @param alpha LinUCB's constant of the bonus {@code alpha * sqrt(x^T A^-1 x)}, >= 0 ({@code context: linear})
 * @param ridge LinUCB's ridge {@code lambda}: every arm's model starts at {@code A = lambda I}, > 0
 *        ({@code context: linear})
 */
record Options(int k, double exploration, double discount, Weighting weighting, Context context, double alpha,
        double ridge) {
    static final int DEFAULT_K = 1;
    static final double DEFAULT_EXPLORATION = 1.0;
    static final double DEFAULT_DISCOUNT = 1.0;
    static final Weighting DEFAULT_WEIGHTING = Weighting.REWARD;
    static final Context DEFAULT_CONTEXT = Context.NONE;
    static final double DEFAULT_ALPHA = 1.0;
    static final double DEFAULT_RIDGE = 1.0;

    /** Mixture weights of the active experts. */
    enum Weighting {
        /** Equal weights. */
        UNIFORM,
        /** Proportional to each expert's mean (UCB1) or predicted (LinUCB) reward, floored so that none is silenced. */
        REWARD
    }

    /** What the bandit conditions on. */
    enum Context {
        /** Nothing: UCB1, one mean reward per expert. */
        NONE,
        /** The batch's {@link io.scarcity.api.RoutingFeatures} vector: LinUCB, one ridge model per expert. */
        LINEAR
    }

    Options {
        atLeast("k", k, 1);
        atLeast("exploration", exploration, 0);
        inOpenClosed("discount", discount, 0, 1);
        notNull("weighting", weighting, Weighting.class);
        notNull("context", context, Context.class);
        atLeast("alpha", alpha, 0);
        above("ridge", ridge, 0);
    }

    /** Context-free UCB1 options (LinUCB's at their defaults). */
    Options(int k, double exploration, double discount, Weighting weighting) {
        this(k, exploration, discount, weighting, DEFAULT_CONTEXT, DEFAULT_ALPHA, DEFAULT_RIDGE);
    }

    static Options defaults() {
        return new Options(DEFAULT_K, DEFAULT_EXPLORATION, DEFAULT_DISCOUNT, DEFAULT_WEIGHTING);
    }

    /**
     * Reads the options from a plugin's configuration; a bad value fails with the key's full path. The
     * exploration constant of one mode given in the other ({@code exploration} with {@code context: linear},
     * {@code alpha} or {@code ridge} with {@code context: none}) is refused rather than silently ignored.
     */
    static Options from(PluginConfig config) {
        Objects.requireNonNull(config, "config is null");
        int k = config.getInt("k", DEFAULT_K);
        double exploration = config.getDouble("exploration", DEFAULT_EXPLORATION);
        double discount = config.getDouble("discount", DEFAULT_DISCOUNT);
        Weighting weighting = config.getEnum("weighting", DEFAULT_WEIGHTING);
        Context context = config.getEnum("context", DEFAULT_CONTEXT);
        double alpha = config.getDouble("alpha", DEFAULT_ALPHA);
        double ridge = config.getDouble("ridge", DEFAULT_RIDGE);
        try {
            if (context == Context.LINEAR && config.has("exploration")) {
                throw new InvalidOptionException("exploration", "applies only with context: none (UCB1); with "
                        + "context: linear the exploration constant is 'alpha' (finite, >= 0)");
            }
            for (String linearOnly : new String[] {"alpha", "ridge"}) {
                if (context == Context.NONE && config.has(linearOnly)) {
                    throw new InvalidOptionException(linearOnly, "applies only with context: linear (LinUCB); "
                            + "set context: linear or remove it");
                }
            }
            return new Options(k, exploration, discount, weighting, context, alpha, ridge);
        } catch (InvalidOptionException e) {
            throw config.invalid(e);
        }
    }
}
