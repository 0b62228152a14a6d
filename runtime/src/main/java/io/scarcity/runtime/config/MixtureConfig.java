package io.scarcity.runtime.config;

import io.scarcity.api.ConfigException;
import java.util.List;

/**
 * How a client turns its active experts' predictions into one and rewards the router.
 *
 * @param calibration {@code none} (experts' class probabilities are mixed as they are) or
 *        {@code temperature} (each expert's probabilities are first tempered, {@code p^s / sum p^s},
 *        with an inverse temperature {@code s} fitted online to that expert's own past predictions;
 *        an overconfident expert, such as naive Bayes on many correlated features, would otherwise
 *        dominate any linear mix). Classification only.
 * @param reward what the router is rewarded with per active expert and batch: {@code accuracy}
 *        (1 - error rate) or {@code likelihood} (the geometric mean of the probability the expert gave
 *        the true class, {@code exp(-log loss)}: a proper score, which separates experts that are
 *        equally accurate but not equally sure, and rare-class misses). Regression always uses
 *        {@code 1 / (1 + mean squared error)}.
 * @param training {@code active} (only the router's active experts learn from a batch: the compute the
 *        router saves) or {@code all} (every predicting expert learns from every batch, so that an
 *        expert the router rarely picks is not starved and can become the best one)
 * @param combiner how the experts that ran on a batch are weighted: {@code router} (by the routing's
 *        weights) or {@code hedge} (exponential weights on each expert's cumulative log loss of its
 *        calibrated probabilities, the Bayes mixture, with fixed share and sleeping-experts updates; the
 *        expert with the largest weight runs on every batch besides the router's choice, and an expert
 *        that has made fewer errors than the mixture predicts in its place), or {@code stack} (the same
 *        machinery, but the weights follow exponentiated gradient on the <em>mixture's</em> log loss, online
 *        stacking: they approach the best convex combination of the experts, which is at least as good as
 *        the best one alone and, when the experts complement each other, better). Classification only;
 *        regression is always weighted by the router
 * @param share the hedge combiner's fixed-share rate per row, in [0, 1): how fast it can turn to another
 *        expert after a drift (0 = never forgets; each weight stays above about {@code share / experts})
 * @param sleep with {@code combiner: hedge} and {@code training: all}: an expert whose hedge weight is below
 *        this, and that neither the router nor the combiner runs on a batch, sleeps through it (does not
 *        learn either), which is the compute the combination saves; fixed share wakes it as its weight
 *        climbs back. In [0, 1); 0 = every expert learns every batch
 */
public record MixtureConfig(String calibration, String reward, String training, String combiner, double share, double sleep) {
    public static final List<String> CALIBRATIONS = List.of("none", "temperature");
    public static final List<String> REWARDS = List.of("accuracy", "likelihood");
    public static final List<String> TRAINING = List.of("active", "all");
    public static final List<String> COMBINERS = List.of("router", "hedge", "stack");
    /** The embedded defaults. */
    public static final MixtureConfig DEFAULT = new MixtureConfig("temperature", "accuracy", "all", "stack", 0.001, 0.0);

    public MixtureConfig {
        check("calibration", calibration, CALIBRATIONS);
        check("reward", reward, REWARDS);
        check("training", training, TRAINING);
        check("combiner", combiner, COMBINERS);
        if (!(share >= 0 && share < 1)) {
            throw new ConfigException("share", "expected a rate per row in [0, 1), e.g. 0.001, got " + share);
        }
        if (!(sleep >= 0 && sleep < 1)) {
            throw new ConfigException("sleep", "expected a weight in [0, 1) below which an idle expert sleeps (0 = none), got " + sleep);
        }
    }

    private static void check(String key, String value, List<String> allowed) {
        if (value == null || !allowed.contains(value)) {
            throw new ConfigException(key, "expected one of " + String.join(", ", allowed) + ", got '" + value + "'");
        }
    }

    public boolean calibrates() {
        return calibration.equals("temperature");
    }

    public boolean likelihoodReward() {
        return reward.equals("likelihood");
    }

    /** Whether a combiner of its own weighs the experts ({@code hedge} or {@code stack}), not the router. */
    public boolean hedges() {
        return combiner.equals("hedge") || combiner.equals("stack");
    }

    /** Whether the combiner learns the best convex combination of the experts ({@code stack}). */
    public boolean stacks() {
        return combiner.equals("stack");
    }

    public boolean trainsAll() {
        return training.equals("all");
    }
}
