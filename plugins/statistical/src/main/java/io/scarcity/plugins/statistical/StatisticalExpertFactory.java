package io.scarcity.plugins.statistical;

import io.scarcity.api.DataSchema;
import io.scarcity.api.Expert;
import io.scarcity.api.ExpertFactory;
import io.scarcity.api.PluginConfig;
import io.scarcity.api.PluginContext;
import java.util.Objects;

/** Creates {@link StatisticalExpert}s: running Gaussian statistics as a predictor plus a robust outlier signal. */
public final class StatisticalExpertFactory implements ExpertFactory {
    public StatisticalExpertFactory() {
    }

    /**
     * Classification states pool exactly under the element-wise mean (prior-weighted moments); a regression
     * state's target variance is pooled with the between-group term.
     */
    @Override
    public java.util.Optional<io.scarcity.api.MergeLaw> mergeLaw() {
        return java.util.Optional.of(LAW);
    }

    private static final io.scarcity.api.MergeLaw POOLING = io.scarcity.api.MergeLaw.poolingVariances("");
    private static final io.scarcity.api.MergeLaw LAW = new io.scarcity.api.MergeLaw() {
        @Override
        public io.scarcity.api.ExpertState merge(java.util.List<io.scarcity.api.ExpertState> states, double[] weights) {
            if (!classification(states.get(0))) {
                return POOLING.merge(states, weights);
            }
            io.scarcity.api.ExpertState mean = io.scarcity.api.ExpertState.weightedMean(states, weights);
            return UnionMerge.applies(states) ? UnionMerge.merge(states, weights, mean) : mean;
        }

        /** A pair of classification states: by the union law if both carry it, else the sample-weighted mean, exactly as gossip merged them before laws. */
        @Override
        public io.scarcity.api.ExpertState merge(io.scarcity.api.ExpertState mine, io.scarcity.api.ExpertState theirs) {
            if (classification(mine) && UnionMerge.applies(java.util.List.of(mine, theirs))) {
                return io.scarcity.api.MergeLaw.super.merge(mine, theirs); // the list law, weighted by samples
            }
            return classification(mine) ? io.scarcity.api.ExpertState.sampleWeightedMean(mine, theirs) : POOLING.merge(mine, theirs);
        }

        /** Classification states merge by the element-wise weighted mean (regression ones pool variances). */
        @Override
        public boolean weightedMean(io.scarcity.api.ExpertState state) {
            return classification(state) && state.weight(UnionMerge.RETAINED) == null;
        }

        /**
         * Under secure aggregation, a union state without its {@code union.*} arrays: those need each client's state, not
         * a sum; the rest merges by the weighted mean, as under the mean law.
         */
        @Override
        public io.scarcity.api.ExpertState summable(io.scarcity.api.ExpertState state) {
            if (!classification(state) || state.weight(UnionMerge.RETAINED) == null) {
                return io.scarcity.api.MergeLaw.super.summable(state);
            }
            java.util.Map<String, double[]> kept = new java.util.TreeMap<>(state.weights());
            kept.keySet().removeIf(name -> name.startsWith(UnionMerge.PREFIX));
            return new io.scarcity.api.ExpertState(state.expert(), kept, state.samples());
        }

        private boolean classification(io.scarcity.api.ExpertState state) {
            return state.weights().containsKey("prior");
        }
    };

    @Override
    public String name() {
        return "statistical";
    }

    @Override
    public String description() {
        return "Exponentially weighted Gaussian naive Bayes (or target mean); robust z-score and Mahalanobis outlier flags, down-weighted in training";
    }

    @Override
    public Expert create(PluginConfig config, PluginContext context) {
        Objects.requireNonNull(config, "config is null");
        Objects.requireNonNull(context, "context is null");
        Options options = Options.from(config);
        DataSchema schema = context.requireSchema(config, "the statistical expert");
        // outlierMerge: whether a merge (gossip, FedAvg, a warm start) replaces warm outlier estimates with the
        // pooled ones (pooled, the default, with or without labels) or leaves them (own).
        String merge = config.getString("outlierMerge", "pooled");
        if (!merge.equals("pooled") && !merge.equals("own")) {
            throw config.invalid("outlierMerge", "expected pooled (a merge adopts the pooled outlier estimates) or own (a"
                    + " scorer that has learned keeps its own; a cold one adopts the pooled ones), got '" + merge + "'");
        }
        StatisticalExpert expert = new StatisticalExpert(options, schema, context.random());
        expert.keepOwnOutlierEstimates(merge.equals("own"));
        String law = config.getString("mergeLaw", "union");
        if (!law.equals("mean") && !law.equals("union")) {
            throw config.invalid("mergeLaw", "expected mean (merged class estimates are the clients' weighted mean) or union (as"
                    + " one learner that learned every client's rows since their last merge), got '" + law + "'");
        }
        expert.unionMerge(law.equals("union"));
        return expert;
    }
}
