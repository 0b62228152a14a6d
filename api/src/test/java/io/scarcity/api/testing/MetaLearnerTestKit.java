package io.scarcity.api.testing;

import io.scarcity.api.ExpertReport;
import io.scarcity.api.ExpertState;
import io.scarcity.api.FeatureMoments;
import io.scarcity.api.Insight;
import io.scarcity.api.InsightStore;
import io.scarcity.api.MetaLearner;
import io.scarcity.api.MetaLearnerFactory;
import io.scarcity.api.MetaParameters;
import io.scarcity.api.StandardSignals;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Meta-learners under the shared contract of {@link PluginTestKit}: a driver that feeds a meta-learner
 * generated rounds of {@link Insight}s (and, for weight-sharing ones, expert states), fingerprints of what
 * it learns, and {@link #assertContract} that checks all of it in one call.
 */
public final class MetaLearnerTestKit {
    /** The domains of the generated clients: {@code d0} and {@code d1} have clients, {@code d2} never does. */
    public static final List<String> DOMAINS = List.of("d0", "d1", "d2");
    /** Features of the generated insights' moments. */
    public static final int FEATURES = 3;
    /** Clients {@code c0 .. c5}, client {@code c} in domain {@code d(c % 2)}. */
    public static final int CLIENTS = 6;

    /** A store that holds nothing, for meta-learners that never read it. */
    public static final InsightStore EMPTY = store(List.of());

    /**
     * A store that fails the test when read, for meta-learners that keep their own history (a resumed run
     * may show them a store with rounds missing; see {@link MetaLearner#learn}).
     */
    public static final InsightStore NEVER_READ = new InsightStore() {
        @Override
        public Set<String> domains() {
            throw new AssertionError("the store was read");
        }

        @Override
        public List<Insight> recent(String domain, int max) {
            throw new AssertionError("the store was read");
        }

        @Override
        public int size(String domain) {
            throw new AssertionError("the store was read");
        }
    };

    private MetaLearnerTestKit() {
    }

    /** A read-only store of exactly these insights (most recent last). */
    public static InsightStore store(List<Insight> insights) {
        List<Insight> all = List.copyOf(insights);
        return new InsightStore() {
            @Override
            public Set<String> domains() {
                return new java.util.TreeSet<>(all.stream().map(Insight::domain).toList());
            }

            @Override
            public List<Insight> recent(String domain, int max) {
                List<Insight> of = all.stream().filter(i -> i.domain().equals(domain)).toList();
                return of.subList(Math.max(0, of.size() - max), of.size());
            }

            @Override
            public int size(String domain) {
                return (int) all.stream().filter(i -> i.domain().equals(domain)).count();
            }
        };
    }

    /**
     * One round's insights of the clients: now and then a client is missing; experts {@code s}
     * (statistical) and {@code t} (temporal) report random losses, rates and drift scores; the client
     * reports a drift now and then and the moments of its rows.
     */
    public static List<Insight> insights(Random random, int round) {
        List<Insight> out = new ArrayList<>();
        for (int c = 0; c < CLIENTS; c++) {
            if (random.nextInt(6) == 0) {
                continue;
            }
            Map<String, ExpertReport> experts = new TreeMap<>();
            experts.put("s", new ExpertReport("s", "statistical", random.nextDouble(), 50 + random.nextInt(100),
                    random.nextInt(5), 0.01 + 0.1 * random.nextDouble(), Map.of(StandardSignals.DRIFT_SCORE, random.nextDouble())));
            experts.put("t", new ExpertReport("t", "temporal", random.nextDouble(), 50 + random.nextInt(100),
                    random.nextInt(5), 0.001 + 0.01 * random.nextDouble(), Map.of()));
            double[] mean = new double[FEATURES];
            double[] m2 = new double[FEATURES];
            for (int j = 0; j < FEATURES; j++) {
                mean[j] = c % 2 + random.nextGaussian();
                m2[j] = 10 + 50 * random.nextDouble();
            }
            out.add(new Insight("c" + c, DOMAINS.get(c % 2), round, 100, random.nextDouble(), random.nextDouble(), experts,
                    Map.of(StandardSignals.DRIFT_DETECTED, random.nextInt(4) == 0 ? 1.0 : 0.0), new FeatureMoments(20, mean, m2)));
        }
        return out;
    }

    /** A consensus weight in [0, 1) per client. */
    public static Map<String, Double> weights(Random random) {
        Map<String, Double> weights = new TreeMap<>();
        for (int c = 0; c < CLIENTS; c++) {
            weights.put("c" + c, random.nextDouble());
        }
        return weights;
    }

    /**
     * One round's uploads to a weight-sharing meta-learner: every client, experts {@code s} and
     * {@code t} with random arrays and sample counts; now and then a non-finite state (to be left out),
     * an array of another length, a missing expert, or a client uploading twice (the second upload
     * replaces the first).
     */
    public static void upload(MetaLearner m, Random random, int round) {
        for (int c = 0; c < CLIENTS; c++) {
            Map<String, ExpertState> states = new TreeMap<>();
            for (String expert : List.of("s", "t")) {
                if (random.nextInt(8) == 0) {
                    continue;
                }
                double[] mean = new double[random.nextInt(10) == 0 ? 2 : 3];
                for (int i = 0; i < mean.length; i++) {
                    mean[i] = random.nextGaussian();
                }
                if (random.nextInt(12) == 0) {
                    mean[0] = Double.NaN;
                }
                states.put(expert, new ExpertState("statistical",
                        Map.of("mean", mean, "count", new double[] {random.nextInt(50)}), 1 + random.nextInt(500)));
            }
            String client = "c" + c;
            String domain = DOMAINS.get(c % 2);
            m.receiveStates(round, client, domain, states);
            if (random.nextInt(10) == 0) {
                m.receiveStates(round, client, domain, Map.of("s", new ExpertState("statistical",
                        Map.of("mean", new double[] {random.nextDouble(), 0, 1}), 3)));
            }
        }
    }

    /**
     * The driver: step {@code t} learns round {@code t + 1} from generated insights and consensus weights
     * (the store holding that round's insights). A weight-sharing (or warm-starting) meta-learner receives each round's
     * uploads before its learning, the next round's right after it, so that a checkpoint taken between
     * steps holds pending uploads. The fingerprint of a step: what {@code learn} returned, then per
     * domain of {@link #DOMAINS} and an unknown one, {@code parametersFor} and {@code statesFor}.
     */
    public static PluginTestKit.Driver<MetaLearner> driver() {
        return driver(MetaLearnerTestKit::store);
    }

    /** {@link #driver()} with the store {@code stores} makes of each round's insights (e.g. {@link #NEVER_READ}). */
    public static PluginTestKit.Driver<MetaLearner> driver(Function<List<Insight>, InsightStore> stores) {
        return (m, random, from, steps) -> {
            List<String> out = new ArrayList<>();
            for (int t = from; t < from + steps; t++) {
                if (t == 0 && (m.sharesWeights() || m.warmStartsFromStates())) {
                    upload(m, random, 1);
                }
                List<Insight> insights = insights(random, t + 1);
                Map<String, MetaParameters> learned = m.learn(t + 1, insights, stores.apply(insights), weights(random));
                if (m.sharesWeights() || m.warmStartsFromStates()) {
                    upload(m, random, t + 2);
                }
                StringBuilder s = new StringBuilder();
                new TreeMap<>(learned).forEach((domain, p) -> s.append("learned ").append(fingerprint(p)).append('\n'));
                for (String domain : List.of("d0", "d1", "d2", "unknown")) {
                    s.append(fingerprint(m.parametersFor(domain, FEATURES))).append('\n');
                    m.statesFor(domain).forEach((expert, state) ->
                            s.append(domain).append('/').append(expert).append(' ').append(fingerprint(state)).append('\n'));
                }
                out.add(s.toString());
            }
            return out;
        };
    }

    /** Every field, exactly. */
    public static String fingerprint(MetaParameters p) {
        return p.domain() + " round " + p.round() + " rates " + p.learningRates() + " priors " + p.routerPriors()
                + " moments " + p.normalisation().count() + PluginTestKit.fingerprint(p.normalisation().mean())
                + PluginTestKit.fingerprint(p.normalisation().m2()) + " values " + p.values();
    }

    /** Name, samples and every array, exactly. */
    public static String fingerprint(ExpertState state) {
        StringBuilder s = new StringBuilder(state.expert()).append(" samples ").append(state.samples());
        state.weights().forEach((name, values) -> s.append(' ').append(name).append(PluginTestKit.fingerprint(values)));
        return s.toString();
    }

    /**
     * The whole contract in one call, for meta-learners made by {@code maker} (one factory, options and
     * context): determinism per seed, the checkpoint round trip after {@code warmUp} rounds continuing
     * bit for bit for 6 more, a truncated checkpoint refused without effect, and a checkpoint of an
     * unknown format version refused naming {@code component}.
     */
    public static void assertCheckpointContract(Supplier<MetaLearner> maker, String component, long seed, int warmUp)
            throws IOException {
        assertCheckpointContract(maker, component, seed, warmUp, driver());
    }

    /** {@link #assertCheckpointContract(Supplier, String, long, int)} with another driver (e.g. {@link #driver(Function)}). */
    public static void assertCheckpointContract(Supplier<MetaLearner> maker, String component, long seed, int warmUp,
            PluginTestKit.Driver<MetaLearner> driver) throws IOException {
        PluginTestKit.assertDeterministic(maker, driver, seed, warmUp + 2);
        PluginTestKit.assertRoundTrip(maker, driver, seed, warmUp, 6);
        PluginTestKit.assertCorruptRefusedAndChangesNothing(maker, driver, seed, 2);
        PluginTestKit.assertUnknownVersionRefused(maker, component);
    }

    /**
     * Everything: the factory registration ({@link PluginTestKit#assertRegistered}), the bad options
     * refused naming their path, and {@link #assertCheckpointContract} on the options {@code options}.
     */
    public static void assertContract(Class<? extends MetaLearnerFactory> type, String name, Map<String, ?> options,
            List<PluginTestKit.BadOption> bad, String component) throws IOException {
        MetaLearnerFactory factory = PluginTestKit.assertRegistered(MetaLearnerFactory.class, type, name);
        var context = PluginTestKit.context(1, null, name);
        PluginTestKit.assertBadOptionsRefused(factory, context, bad);
        assertCheckpointContract(PluginTestKit.maker(factory, options, context), component, 31, 6);
    }
}
