package io.scarcity.plugins.reptile;

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
 * <p>Not thread-safe: called from the coordinator's thread only.
 */
final class ReptileMetaLearner implements MetaLearner {
    private final Options options;
    private final StateUploads uploads = new StateUploads();
    /** The initialisation per domain and expert instance. */
    private final Map<String, Map<String, ExpertState>> phi = new TreeMap<>();
    /** Round of the latest parameters per domain. */
    private final Map<String, Integer> rounds = new TreeMap<>();

    ReptileMetaLearner(Options options) {
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

    /** As the 3-argument {@code learn}: the mean is sample-weighted, the consensus weights are not used. */
    @Override
    public Map<String, MetaParameters> learn(int round, List<Insight> insights, InsightStore store,
                                             Map<String, Double> clientWeights) {
        Objects.requireNonNull(clientWeights, "clientWeights is null");
        return learn(round, insights, store);
    }

    @Override
    public Map<String, MetaParameters> learn(int round, List<Insight> insights, InsightStore store) {
        Objects.requireNonNull(insights, "insights is null");
        Objects.requireNonNull(store, "store is null");
        uploads.take(round).forEach((domain, experts) -> {
            Map<String, ExpertState> init = phi.computeIfAbsent(domain, d -> new TreeMap<>());
            experts.forEach((expert, all) -> {
                List<ExpertState> states = new ArrayList<>(all.size());
                for (StateUploads.Upload u : all) {
                    if (u.state().isFinite()) {
                        states.add(u.state());
                    }
                }
                if (states.isEmpty()) {
                    return;
                }
                double[] bySamples = new double[states.size()];
                for (int k = 0; k < bySamples.length; k++) {
                    bySamples[k] = states.get(k).samples();
                }
                ExpertState mean = ExpertState.weightedMean(states, bySamples);
                ExpertState old = init.get(expert);
                init.put(expert, old == null ? mean : step(old, mean, options.epsilon()));
            });
        });
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

    @Override
    public Map<String, ExpertState> statesFor(String domain) {
        Objects.requireNonNull(domain, "domain is null");
        Map<String, ExpertState> init = phi.get(domain);
        return init == null ? Map.of() : Collections.unmodifiableMap(new TreeMap<>(init));
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
