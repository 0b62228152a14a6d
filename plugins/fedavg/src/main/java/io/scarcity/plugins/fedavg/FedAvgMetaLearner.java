package io.scarcity.plugins.fedavg;

import io.scarcity.api.ExpertState;
import io.scarcity.api.StateUploads;
import io.scarcity.api.WeightSharingMetaLearner;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * FedAvg (McMahan et al., 2017), the classic <b>weight sharing</b> baseline: unlike the insight
 * meta-learner it sees the clients' expert weights. After each round every live client uploads the
 * gossipable states of its experts ({@link #receiveStates}); {@link #learn} averages them per domain and
 * per expert instance (by the expert plugin's {@link io.scarcity.api.MergeLaw} if its factory declares one, else
 * {@link io.scarcity.api.ExpertState#weightedMean}: arrays present in every state with one length are
 * averaged, the rest come from the state with the most samples; the result's samples are the inputs'
 * mean) and every live client of the domain adopts the average ({@link #statesFor}).
 *
 * <p>Weights: a state weighs its sample count ({@code weighting: samples}) or its sample count times the
 * client's consensus weight ({@code weighting: consensus}; a client missing from the weights weighs 0,
 * and if every product is 0 the sample counts are used instead). A state with a non-finite value is
 * left out: one diverged client would otherwise make every client's weights NaN.
 *
 * <p>FedAvg learns no meta-parameters: {@link #learn} returns, for each domain with insights, parameters
 * that say nothing (no learning rates, no priors, zero-count normalisation) stamped with the round.
 *
 * <p>Checkpoints: everything FedAvg remembers between rounds (the averages, the uploads not yet learned)
 * is kept and saved by the base ({@link WeightSharingMetaLearner#saveState}).
 *
 * <p>Not thread-safe: called from the coordinator's thread only.
 */
final class FedAvgMetaLearner extends WeightSharingMetaLearner {
    private final Options options;

    FedAvgMetaLearner(Options options) {
        this.options = Objects.requireNonNull(options, "options is null");
    }

    Options options() {
        return options;
    }

    /** The weighted average; without client weights (or with {@code weighting: samples}), by samples alone. */
    @Override
    protected ExpertState aggregate(List<StateUploads.Upload> uploads, ExpertState previous, Map<String, Double> clientWeights) {
        double[] bySamples = samples(uploads);
        if (clientWeights == null || options.weighting() != Options.Weighting.CONSENSUS) {
            return merge(states(uploads), bySamples);
        }
        double[] weights = new double[uploads.size()];
        double total = 0;
        for (int k = 0; k < weights.length; k++) {
            Double w = clientWeights.get(uploads.get(k).client());
            double trust = w == null || !Double.isFinite(w) || w < 0 ? 0 : w;
            weights[k] = bySamples[k] * trust;
            total += weights[k];
        }
        return merge(states(uploads), total > 0 ? weights : bySamples);
    }
}
