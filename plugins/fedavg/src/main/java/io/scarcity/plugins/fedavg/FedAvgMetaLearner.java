package io.scarcity.plugins.fedavg;

import io.scarcity.api.ExpertState;
import io.scarcity.api.StateUploads;
import io.scarcity.api.FeatureMoments;
import io.scarcity.api.Insight;
import io.scarcity.api.InsightStore;
import io.scarcity.api.MetaLearner;
import io.scarcity.api.MetaParameters;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * FedAvg (McMahan et al., 2017), the classic <b>weight sharing</b> baseline: unlike the insight
 * meta-learner it sees the clients' expert weights. After each round every live client uploads the
 * gossipable states of its experts ({@link #receiveStates}); {@link #learn} averages them per domain and
 * per expert instance ({@link io.scarcity.api.ExpertState#weightedMean}: arrays present in every state with one length are
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
 * <p>Not thread-safe: called from the coordinator's thread only.
 */
final class FedAvgMetaLearner implements MetaLearner {
    private final Options options;
    private final StateUploads uploads = new StateUploads();
    /** Latest average per domain and expert instance. */
    private final Map<String, Map<String, ExpertState>> averages = new TreeMap<>();
    /** Round of the latest parameters per domain. */
    private final Map<String, Integer> rounds = new TreeMap<>();

    FedAvgMetaLearner(Options options) {
        this.options = Objects.requireNonNull(options, "options is null");
    }

    Options options() {
        return options;
    }

    @Override
    public boolean sharesWeights() {
        return true;
    }

    @Override
    public void receiveStates(int round, String client, String domain, Map<String, ExpertState> states) {
        uploads.add(round, client, domain, states);
    }

    @Override
    public Map<String, MetaParameters> learn(int round, List<Insight> insights, InsightStore store) {
        return learn(round, insights, store, null, false);
    }

    @Override
    public Map<String, MetaParameters> learn(int round, List<Insight> insights, InsightStore store,
                                             Map<String, Double> clientWeights) {
        Objects.requireNonNull(clientWeights, "clientWeights is null");
        return learn(round, insights, store, clientWeights, true);
    }

    private Map<String, MetaParameters> learn(int round, List<Insight> insights, InsightStore store,
                                              Map<String, Double> clientWeights, boolean weighed) {
        Objects.requireNonNull(insights, "insights is null");
        Objects.requireNonNull(store, "store is null");
        boolean consensus = weighed && options.weighting() == Options.Weighting.CONSENSUS;
        uploads.take(round).forEach((domain, experts) -> {
            Map<String, ExpertState> domainAverages = averages.computeIfAbsent(domain, d -> new TreeMap<>());
            experts.forEach((expert, all) -> {
                List<StateUploads.Upload> usable = new ArrayList<>(all.size());
                for (StateUploads.Upload u : all) {
                    if (u.state().isFinite()) {
                        usable.add(u);
                    }
                }
                if (!usable.isEmpty()) {
                    domainAverages.put(expert, average(usable, consensus ? clientWeights : null));
                }
            });
        });
        return noParameters(round, insights);
    }

    /** The weighted average; {@code clientWeights == null} means weighing by samples alone. */
    private static ExpertState average(List<StateUploads.Upload> uploads, Map<String, Double> clientWeights) {
        List<ExpertState> states = new ArrayList<>(uploads.size());
        double[] bySamples = new double[uploads.size()];
        double[] weights = new double[uploads.size()];
        double total = 0;
        for (int k = 0; k < uploads.size(); k++) {
            StateUploads.Upload u = uploads.get(k);
            states.add(u.state());
            bySamples[k] = u.state().samples();
            double trust = 1;
            if (clientWeights != null) {
                Double w = clientWeights.get(u.client());
                trust = w == null || !Double.isFinite(w) || w < 0 ? 0 : w;
            }
            weights[k] = bySamples[k] * trust;
            total += weights[k];
        }
        return ExpertState.weightedMean(states, total > 0 ? weights : bySamples);
    }

    /** For each domain with insights: parameters that say nothing, stamped with the round. */
    private Map<String, MetaParameters> noParameters(int round, List<Insight> insights) {
        Map<String, MetaParameters> out = new TreeMap<>();
        for (Insight insight : insights) {
            Objects.requireNonNull(insight, "insight is null");
            if (!out.containsKey(insight.domain())) {
                int dim = insight.moments().dimensions();
                out.put(insight.domain(), new MetaParameters(insight.domain(), round, Map.of(), Map.of(),
                        new FeatureMoments(0, new double[dim], new double[dim]), Map.of()));
                rounds.merge(insight.domain(), round, Math::max);
            }
        }
        return out;
    }

    @Override
    public Map<String, ExpertState> statesFor(String domain) {
        Objects.requireNonNull(domain, "domain is null");
        Map<String, ExpertState> a = averages.get(domain);
        return a == null ? Map.of() : Collections.unmodifiableMap(new TreeMap<>(a));
    }

    @Override
    public MetaParameters parametersFor(String domain, int features) {
        Objects.requireNonNull(domain, "domain is null");
        if (features < 0) {
            throw new IllegalArgumentException("features must be >= 0, got " + features);
        }
        Integer round = rounds.get(domain);
        if (round == null) {
            return MetaParameters.none(domain, features);
        }
        return new MetaParameters(domain, round, Map.of(), Map.of(),
                new FeatureMoments(0, new double[features], new double[features]), Map.of());
    }
}
