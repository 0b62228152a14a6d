package io.scarcity.plugins.metaadaptation;

import static io.scarcity.api.OptionChecks.above;
import static io.scarcity.api.OptionChecks.atLeast;
import static io.scarcity.api.OptionChecks.inOpen;
import static io.scarcity.api.OptionChecks.inOpenClosed;
import static io.scarcity.api.OptionChecks.oneOf;

import io.scarcity.api.InvalidOptionException;
import io.scarcity.api.PluginConfig;
import java.util.List;
import java.util.Objects;

/**
 * Validated options of the meta-adaptation expert (see {@link MetaAdaptationExpert} for what they do).
 *
 * <p>Loss trend, per supervised expert, over the batches where it was active and labelled:
 * @param fastRate weight of a new loss in the fast exponentially weighted mean, in (0, 1]; 1 = the last loss
 * @param slowRate weight of a new loss in the slow mean, in (0, fastRate)
 * @param warmup observations (after creation, a thaw or a drift reset) that only feed the means, >= 1
 * <p>Scales:
 * @param method {@code rule} (default) or {@code hypergradient}
 * @param shrink factor applied on a rising loss (rule), and the largest step down of the hypergradient
 *        method, in (0, 1)
 * @param grow factor applied after a steady fall (rule), and the largest step up of the hypergradient
 *        method, > 1
 * @param minScale lowest scale, in (0, 1]
 * @param maxScale highest scale, >= 1
 * @param tolerance rule: relative trend {@code (fast - slow) / slow} beyond which the loss is rising
 *        (or, below its negative, falling), >= 0
 * @param patience rule: consecutive falling observations before the scale grows, >= 1
 * @param hyperRate hypergradient: step of log scale per unit of estimated d(relative loss)/d(log scale), > 0
 * @param probe hypergradient: smallest step of log scale (the finite difference needs a change to
 *        measure), in (0, min(-ln shrink, ln grow)]
 * <p>Freezing and drift:
 * @param freeze whether to freeze an expert whose loss stays flat (off by default)
 * @param freezeTolerance |relative trend| below which the loss is flat, >= 0
 * @param freezePatience consecutive flat observations before freezing, >= 1
 * @param resetOnDrift on {@code drift.detected}, restart every expert's trend and return its scale to 1
 *        (default); if false, only the experts it thaws
 */
record Options(String method, double fastRate, double slowRate, int warmup, double shrink, double grow,
               double minScale, double maxScale, double tolerance, int patience, double hyperRate, double probe,
               boolean freeze, double freezeTolerance, int freezePatience, boolean resetOnDrift) {
    static final String RULE = "rule";
    static final String HYPERGRADIENT = "hypergradient";
    static final List<String> METHODS = List.of(RULE, HYPERGRADIENT);

    static final double DEFAULT_FAST_RATE = 0.3;
    static final double DEFAULT_SLOW_RATE = 0.05;
    static final int DEFAULT_WARMUP = 5;
    static final double DEFAULT_SHRINK = 0.7;
    static final double DEFAULT_GROW = 1.1;
    static final double DEFAULT_MIN_SCALE = 0.1;
    static final double DEFAULT_MAX_SCALE = 10;
    static final double DEFAULT_TOLERANCE = 0.1;
    static final int DEFAULT_PATIENCE = 5;
    static final double DEFAULT_HYPER_RATE = 0.1;
    static final double DEFAULT_PROBE = 0.02;
    static final double DEFAULT_FREEZE_TOLERANCE = 0.01;
    static final int DEFAULT_FREEZE_PATIENCE = 50;

    private static final List<String> RULE_ONLY = List.of("tolerance", "patience");
    private static final List<String> HYPERGRADIENT_ONLY = List.of("hyperRate", "probe");
    private static final List<String> FREEZE_ONLY = List.of("freezeTolerance", "freezePatience");

    Options {
        oneOf("method", method, METHODS);
        inOpenClosed("fastRate", fastRate, 0, 1);
        if (!(slowRate > 0 && slowRate < fastRate)) {
            throw new InvalidOptionException("slowRate", "must be in (0, fastRate = " + fastRate + "), got " + slowRate
                    + " (the trend is the fast mean minus the slow one)");
        }
        atLeast("warmup", warmup, 1);
        inOpen("shrink", shrink, 0, 1);
        above("grow", grow, 1);
        inOpenClosed("minScale", minScale, 0, 1);
        atLeast("maxScale", maxScale, 1);
        atLeast("tolerance", tolerance, 0);
        atLeast("patience", patience, 1);
        above("hyperRate", hyperRate, 0);
        double largestProbe = Math.min(-Math.log(shrink), Math.log(grow));
        if (!(probe > 0 && probe <= largestProbe)) {
            throw new InvalidOptionException("probe", "must be in (0, min(-ln shrink, ln grow) = " + largestProbe + "], got "
                    + probe);
        }
        atLeast("freezeTolerance", freezeTolerance, 0);
        atLeast("freezePatience", freezePatience, 1);
    }

    static Options defaults() {
        return new Options(RULE, DEFAULT_FAST_RATE, DEFAULT_SLOW_RATE, DEFAULT_WARMUP, DEFAULT_SHRINK, DEFAULT_GROW,
                DEFAULT_MIN_SCALE, DEFAULT_MAX_SCALE, DEFAULT_TOLERANCE, DEFAULT_PATIENCE, DEFAULT_HYPER_RATE, DEFAULT_PROBE,
                false, DEFAULT_FREEZE_TOLERANCE, DEFAULT_FREEZE_PATIENCE, true);
    }

    /** Reads the options from a plugin's configuration; a bad value fails with the key's full path. */
    static Options from(PluginConfig config) {
        Objects.requireNonNull(config, "config is null");
        String method = config.getString("method", RULE);
        double fastRate = config.getDouble("fastRate", DEFAULT_FAST_RATE);
        double slowRate = config.getDouble("slowRate", DEFAULT_SLOW_RATE);
        int warmup = config.getInt("warmup", DEFAULT_WARMUP);
        double shrink = config.getDouble("shrink", DEFAULT_SHRINK);
        double grow = config.getDouble("grow", DEFAULT_GROW);
        double minScale = config.getDouble("minScale", DEFAULT_MIN_SCALE);
        double maxScale = config.getDouble("maxScale", DEFAULT_MAX_SCALE);
        double tolerance = config.getDouble("tolerance", DEFAULT_TOLERANCE);
        int patience = config.getInt("patience", DEFAULT_PATIENCE);
        double hyperRate = config.getDouble("hyperRate", DEFAULT_HYPER_RATE);
        double probe = config.getDouble("probe", DEFAULT_PROBE);
        boolean freeze = config.getBoolean("freeze", false);
        double freezeTolerance = config.getDouble("freezeTolerance", DEFAULT_FREEZE_TOLERANCE);
        int freezePatience = config.getInt("freezePatience", DEFAULT_FREEZE_PATIENCE);
        boolean resetOnDrift = config.getBoolean("resetOnDrift", true);
        try {
            Options options = new Options(method, fastRate, slowRate, warmup, shrink, grow, minScale, maxScale, tolerance,
                    patience, hyperRate, probe, freeze, freezeTolerance, freezePatience, resetOnDrift);
            options.refuse(config, RULE_ONLY, method.equals(RULE), "method: " + RULE);
            options.refuse(config, HYPERGRADIENT_ONLY, method.equals(HYPERGRADIENT), "method: " + HYPERGRADIENT);
            options.refuse(config, FREEZE_ONLY, freeze, "freeze: true");
            return options;
        } catch (InvalidOptionException e) {
            throw config.invalid(e);
        }
    }

    /** An option that the selected configuration never reads would silently do nothing: refuse it, saying why. */
    private void refuse(PluginConfig config, List<String> keys, boolean applies, String needs) {
        if (applies) {
            return;
        }
        for (String key : keys) {
            if (config.has(key)) {
                throw new InvalidOptionException(key, "only applies with " + needs + " (this expert has method: " + method
                        + ", freeze: " + freeze + "); remove it or change those");
            }
        }
    }
}
