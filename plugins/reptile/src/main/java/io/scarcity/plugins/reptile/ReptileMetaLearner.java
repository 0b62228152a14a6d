package io.scarcity.plugins.reptile;

import io.scarcity.api.ExpertState;
import io.scarcity.api.StateUploads;
import io.scarcity.api.WeightSharingMetaLearner;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Reptile (Nichol et al., 2018) in its federated form, a <b>weight sharing</b> baseline: the
 * coordinator keeps an initialisation {@code phi} per domain and expert instance. Clients start each
 * round from {@code phi} ({@link #statesFor}; a client starting cold begins from it too), train on their
 * data, and upload their states ({@link #receiveStates}), which are the initialisation plus their
 * round's delta. {@link #learn} then takes the sample-weighted mean of the uploads (the same
 * {@link io.scarcity.api.ExpertState#weightedMean} as FedAvg) and moves the initialisation toward it:
 * <ul>
 *   <li>first round of an expert: {@code phi = mean};</li>
 *   <li>afterwards, for every array of the mean that {@code phi} has with the same length:
 *       {@code phi <- phi + epsilon * (mean - phi)} element-wise; any other array of the mean is taken
 *       as it is, and arrays the mean lacks are dropped. With {@code epsilon = 1} the mean itself is
 *       taken (so Reptile equals FedAvg exactly; {@code phi + (mean - phi)} may differ from
 *       {@code mean} in the last bit);</li>
 *   <li>{@code phi}'s samples are the mean's (the inputs' mean sample count).</li>
 * </ul>
 * A state with a non-finite value is left out of the mean.
 *
 * <p>Reptile learns no meta-parameters: {@link #learn} returns, for each domain with insights,
 * parameters that say nothing, stamped with the round.
 *
 * <p>Checkpoints: {@code phi} is what {@link #aggregate} returns, which the base keeps per domain and
 * expert and saves ({@link WeightSharingMetaLearner#saveState}); Reptile keeps nothing else between
 * rounds, so it adds no state of its own.
 *
 * <p>Not thread-safe: called from the coordinator's thread only.
 */
final class ReptileMetaLearner extends WeightSharingMetaLearner {
    private final Options options;

    ReptileMetaLearner(Options options) {
        this.options = Objects.requireNonNull(options, "options is null");
    }

    Options options() {
        return options;
    }

    /**
     * phi moves toward the sample-weighted mean of the round's states by epsilon (the first round: phi
     * is the mean); for an expert plugin with its own {@link io.scarcity.api.MergeLaw}, both the mean and
     * the step are that law's. Consensus weights are not used.
     */
    @Override
    protected ExpertState aggregate(List<StateUploads.Upload> uploads, ExpertState previous, Map<String, Double> clientWeights) {
        ExpertState mean = merge(states(uploads), samples(uploads));
        if (previous == null) {
            return mean;
        }
        double epsilon = options.epsilon();
        // A plugin with its own merge law (a basis, trees) moves by it: phi and the mean weighted 1 - epsilon : epsilon.
        return lawOf(mean).map(law -> epsilon == 1.0 ? mean
                : law.merge(List.of(previous, mean), new double[] {1 - epsilon, epsilon})).orElseGet(() -> step(previous, mean, epsilon));
    }

    /** One meta step of the initialisation toward the mean. */
    static ExpertState step(ExpertState phi, ExpertState mean, double epsilon) {
        if (epsilon == 1.0) {
            return mean;
        }
        Map<String, double[]> out = new TreeMap<>();
        for (Map.Entry<String, double[]> e : mean.weights().entrySet()) {
            double[] m = e.getValue();
            double[] p = phi.weights().get(e.getKey());
            if (p == null || p.length != m.length) {
                out.put(e.getKey(), m);
                continue;
            }
            double[] next = new double[m.length];
            for (int i = 0; i < m.length; i++) {
                next[i] = p[i] + epsilon * (m[i] - p[i]);
            }
            out.put(e.getKey(), next);
        }
        return new ExpertState(mean.expert(), out, mean.samples());
    }
}
