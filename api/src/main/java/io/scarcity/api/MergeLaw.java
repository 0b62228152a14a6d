package io.scarcity.api;

import java.util.List;

/**
 * How states of one expert plugin merge: the law that gossip and the weight-sharing meta-learners
 * ({@link WeightSharingMetaLearner}) apply to it instead of the element-wise weighted mean
 * ({@link ExpertState#weightedMean}), declared by its factory ({@link ExpertFactory#mergeLaw}).
 *
 * <p>The law every implementation should meet: merging the states of clients that learned from parts of
 * one stream approaches the state of one learner that learned from all of it. Sufficient statistics are
 * pooled exactly (counts, means, covariances with the between-group term), subspaces are re-derived from
 * the pooled covariance rather than averaged, statistics that live in a client's own frame are carried
 * into a frame the peers share before they are pooled, and neural weights are averaged only when they
 * come from a common initialisation. The plugin test kit checks it
 * ({@code ExpertTestKit.assertMergeLaw}: two learners on IID halves of a stream, merged, against one
 * learner on the whole stream and against each half alone).
 *
 * <p>A law is a pure function: no side effects, safe to call concurrently, the same inputs giving the
 * same output bit for bit (peers on different machines compute it independently and must agree).
 */
@FunctionalInterface
public interface MergeLaw {
    /** The element-wise weighted mean, what states merge by when their factory declares no law. */
    MergeLaw MEAN = new MergeLaw() {
        @Override
        public ExpertState merge(List<ExpertState> states, double[] weights) {
            return ExpertState.weightedMean(states, weights);
        }

        @Override
        public boolean weightedMean(ExpertState state) {
            return true;
        }
    };

    /**
     * Whether this law merges states like {@code state} (the same array names and lengths) by the element-wise
     * weighted mean ({@link ExpertState#weightedMean}), so that the sums of weight x state and of the weights are enough
     * to merge them: then secure aggregation can merge them without anyone seeing a client's state. {@code false} (the
     * default) keeps such states out of securely aggregated weight sharing.
     */
    default boolean weightedMean(ExpertState state) {
        return false;
    }

    /**
     * What of states like {@code state} secure aggregation may merge from sums: a state of the same array names and
     * lengths, or of fewer, that this law merges by the element-wise weighted mean ({@link #weightedMean}); {@code null}
     * when there is none, and the expert is then left out of securely aggregated weight sharing. The default: {@code
     * state} itself when {@link #weightedMean} holds for it, else {@code null}. A law that merges states by the weighted
     * mean but for arrays it carries for a better law (e.g. the statistical expert's union law) returns the state
     * without them: under secure aggregation its states merge by the weighted mean, and the client adopts a state
     * without those arrays.
     */
    default ExpertState summable(ExpertState state) {
        return weightedMean(state) ? state : null;
    }

    /**
     * Merges states of one expert instance.
     *
     * @param states at least one, all exported by this plugin with one configuration and schema (same
     *        array names and lengths), in a stable order
     * @param weights one finite weight {@code >= 0} per state (e.g. its samples); all zero means equal
     * @return the merged state, with the arrays' names and shapes of the inputs, never {@code null}
     */
    ExpertState merge(List<ExpertState> states, double[] weights);

    /**
     * The element-wise weighted mean, except that for each prefix {@code P} with arrays {@code P + "mean"}
     * and {@code P + "variance"} of one length in every state, the variances are pooled with the
     * between-group term, {@code sum w_i (var_i + mean_i^2) - mean^2} (clamped at 0), which is the variance
     * of the union of the clients' data where the element-wise mean of variances would leave out how far
     * the clients' means lie apart. For running standardisation estimates.
     *
     * @param prefixes e.g. {@code "norm."}; {@code ""} for arrays named {@code mean} and {@code variance}
     */
    static MergeLaw poolingVariances(String... prefixes) {
        List<String> names = List.of(prefixes.clone());
        return (states, weights) -> {
            ExpertState mean = ExpertState.weightedMean(states, weights);
            java.util.Map<String, double[]> out = new java.util.TreeMap<>(mean.weights());
            double[] share = ExpertState.normalisedWeights(weights);
            for (String prefix : names) {
                double[] pooledMean = out.get(prefix + "mean");
                if (pooledMean == null || !out.containsKey(prefix + "variance")) {
                    continue;
                }
                int length = pooledMean.length;
                double[] second = new double[length];
                boolean everywhere = true;
                for (int k = 0; k < states.size() && everywhere; k++) {
                    double[] m = states.get(k).weights().get(prefix + "mean");
                    double[] v = states.get(k).weights().get(prefix + "variance");
                    everywhere = m != null && v != null && m.length == length && v.length == length;
                    if (everywhere) {
                        for (int i = 0; i < length; i++) {
                            second[i] += share[k] * (v[i] + m[i] * m[i]);
                        }
                    }
                }
                if (everywhere) {
                    for (int i = 0; i < length; i++) {
                        second[i] = Math.max(0.0, second[i] - pooledMean[i] * pooledMean[i]);
                    }
                    out.put(prefix + "variance", second);
                }
            }
            return new ExpertState(mean.expert(), out, mean.samples());
        };
    }

    /**
     * Merges two states weighted by their samples, as a gossip pair does (both peers adopt the result). The
     * result's samples are the larger input's, as with {@link ExpertState#sampleWeightedMean}: both peers
     * keep it, so a sum would count the same rows again at every later exchange.
     *
     * @param mine never {@code null}
     * @param theirs never {@code null}
     */
    default ExpertState merge(ExpertState mine, ExpertState theirs) {
        ExpertState merged = merge(List.of(mine, theirs), new double[] {mine.samples(), theirs.samples()});
        long samples = Math.max(mine.samples(), theirs.samples());
        return merged.samples() == samples ? merged : new ExpertState(merged.expert(), merged.weights(), samples);
    }
}
