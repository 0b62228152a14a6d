package io.scarcity.api;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Base of weight-sharing meta-learners (FedAvg, Reptile, ...): collects the states clients upload,
 * hands each round's finite uploads per domain and expert to {@link #aggregate}, keeps the result as
 * what clients adopt ({@link #statesFor}), and learns no meta-parameters: {@link #learn} answers each
 * domain with parameters that say nothing, stamped with the round.
 *
 * <p>Not thread-safe: the coordinator's thread only.
 */
public abstract class WeightSharingMetaLearner implements MetaLearner {
    private final StateUploads uploads = new StateUploads();
    private final Map<String, Map<String, ExpertState>> shared = new TreeMap<>();
    private final Map<String, Integer> rounds = new TreeMap<>();

    /**
     * The state clients of a domain adopt for one expert instance, from this round's uploads.
     *
     * @param uploads the round's uploads of the expert in the domain, all finite, at least one, clients in arrival order
     * @param previous what clients adopted after the last round, or {@code null} the first time
     * @param clientWeights consensus weights by client id, or {@code null} if the runtime gave none
     * @return never {@code null}
     */
    protected abstract ExpertState aggregate(List<StateUploads.Upload> uploads, ExpertState previous,
                                             Map<String, Double> clientWeights);

    @Override
    public final boolean sharesWeights() {
        return true;
    }

    @Override
    public final void receiveStates(int round, String client, String domain, Map<String, ExpertState> states) {
        uploads.add(round, client, domain, states);
    }

    @Override
    public final Map<String, MetaParameters> learn(int round, List<Insight> insights, InsightStore store) {
        return learn(round, insights, store, null, false);
    }

    @Override
    public final Map<String, MetaParameters> learn(int round, List<Insight> insights, InsightStore store,
                                                   Map<String, Double> clientWeights) {
        Objects.requireNonNull(clientWeights, "clientWeights is null");
        return learn(round, insights, store, clientWeights, true);
    }

    private Map<String, MetaParameters> learn(int round, List<Insight> insights, InsightStore store,
                                              Map<String, Double> clientWeights, boolean weighed) {
        Objects.requireNonNull(insights, "insights is null");
        Objects.requireNonNull(store, "store is null");
        uploads.take(round).forEach((domain, experts) -> {
            Map<String, ExpertState> states = shared.computeIfAbsent(domain, d -> new TreeMap<>());
            experts.forEach((expert, all) -> {
                List<StateUploads.Upload> usable = new ArrayList<>(all.size());
                for (StateUploads.Upload u : all) {
                    if (u.state().isFinite()) {
                        usable.add(u);
                    }
                }
                if (!usable.isEmpty()) {
                    states.put(expert, aggregate(usable, states.get(expert), weighed ? clientWeights : null));
                }
            });
        });
        Map<String, MetaParameters> out = new TreeMap<>();
        for (Insight insight : insights) {
            Objects.requireNonNull(insight, "insight is null");
            if (!out.containsKey(insight.domain())) {
                int dim = insight.moments().dimensions();
                out.put(insight.domain(), silent(insight.domain(), round, dim));
                rounds.merge(insight.domain(), round, Math::max);
            }
        }
        return out;
    }

    @Override
    public final Map<String, ExpertState> statesFor(String domain) {
        Objects.requireNonNull(domain, "domain is null");
        Map<String, ExpertState> s = shared.get(domain);
        return s == null ? Map.of() : Collections.unmodifiableMap(new TreeMap<>(s));
    }

    @Override
    public final MetaParameters parametersFor(String domain, int features) {
        Objects.requireNonNull(domain, "domain is null");
        if (features < 0) {
            throw new IllegalArgumentException("features must be >= 0, got " + features);
        }
        Integer round = rounds.get(domain);
        return round == null ? MetaParameters.none(domain, features) : silent(domain, round, features);
    }

    private static MetaParameters silent(String domain, int round, int features) {
        return new MetaParameters(domain, round, Map.of(), Map.of(),
                new FeatureMoments(0, new double[features], new double[features]), Map.of());
    }

    /** Each upload's sample count, as weights. */
    protected static double[] samples(List<StateUploads.Upload> uploads) {
        double[] w = new double[uploads.size()];
        for (int k = 0; k < w.length; k++) {
            w[k] = uploads.get(k).state().samples();
        }
        return w;
    }

    /** The uploads' states, in order. */
    protected static List<ExpertState> states(List<StateUploads.Upload> uploads) {
        List<ExpertState> s = new ArrayList<>(uploads.size());
        for (StateUploads.Upload u : uploads) {
            s.add(u.state());
        }
        return s;
    }
}
