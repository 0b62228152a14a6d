package io.scarcity.runtime.coordinator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scarcity.api.ExpertReport;
import io.scarcity.api.FeatureMoments;
import io.scarcity.api.Insight;
import io.scarcity.api.InsightStore;
import io.scarcity.api.MetaLearner;
import io.scarcity.api.MetaParameters;
import java.lang.System.Logger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.ResourceBundle;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Validation on arrival: each kind of bad insight is rejected with its reason, counted, logged under
 * the client's pseudonym, and never stored, on every backend; good insights of the same round are stored
 * and handed to the meta-learner with pseudonyms, and so are the consensus weights.
 */
class CoordinatorTest {
    private static final Set<String> EXPERTS = Set.copyOf(TestInsights.EXPERTS);

    @TempDir
    Path dir;

    private CoordinatorDatabase database;

    @AfterEach
    void dropDatabase() throws SQLException {
        StoreBackend.drop(database);
    }

    static Stream<Arguments> badInsights() {
        Insight good = TestInsights.of("client-1", "coast", 3);
        return Stream.of(
                bad("wrong round", good, i -> TestInsights.of("client-1", "coast", 2)),
                bad("not finite", good, i -> copy(i, i.accuracy(), Double.POSITIVE_INFINITY, i.experts(), i.signals(), i.moments())),
                bad("not finite", good, i -> copy(i, i.accuracy(), i.loss(), i.experts(), Map.of("drift.score", Double.NaN), i.moments())),
                bad("not finite", good, i -> copy(i, i.accuracy(), i.loss(), i.experts(), i.signals(),
                        new FeatureMoments(10, new double[] {Double.NaN}, new double[] {1}))),
                bad("not finite", good, i -> copy(i, i.accuracy(), i.loss(), withReport(i, report("stat-fast", Double.NEGATIVE_INFINITY, 1, 1, 0.1)),
                        i.signals(), i.moments())),
                bad("not finite", good, i -> copy(i, i.accuracy(), i.loss(), withReport(i, report("stat-fast", 0.2, 1, 1, Double.POSITIVE_INFINITY)),
                        i.signals(), i.moments())),
                bad("negative count", good, i -> new Insight(i.client(), i.domain(), i.round(), -1, i.accuracy(), i.loss(),
                        i.experts(), i.signals(), i.moments())),
                bad("negative count", good, i -> copy(i, i.accuracy(), i.loss(), withReport(i, report("stat-fast", 0.2, -5, 1, 0.1)),
                        i.signals(), i.moments())),
                bad("negative count", good, i -> copy(i, i.accuracy(), i.loss(), withReport(i, report("stat-fast", 0.2, 5, -1, 0.1)),
                        i.signals(), i.moments())),
                bad("out of range", good, i -> copy(i, 1.5, i.loss(), i.experts(), i.signals(), i.moments())),
                bad("out of range", good, i -> copy(i, i.accuracy(), -0.1, i.experts(), i.signals(), i.moments())),
                bad("out of range", good, i -> copy(i, i.accuracy(), i.loss(), withReport(i, report("stat-fast", 0.2, 5, 1, -0.1)),
                        i.signals(), i.moments())),
                bad("out of range", good, i -> copy(i, i.accuracy(), i.loss(), i.experts(), i.signals(),
                        new FeatureMoments(10, new double[] {0}, new double[] {-1}))),
                bad("unknown expert", good, i -> copy(i, i.accuracy(), i.loss(), withReport(i, report("moa-ht", 0.2, 5, 1, 0.1)),
                        i.signals(), i.moments())),
                bad("malformed", good, i -> {
                    Map<String, ExpertReport> experts = new TreeMap<>(i.experts());
                    experts.put("stat-fast", report("stat-slow", 0.2, 5, 1, 0.1));
                    return copy(i, i.accuracy(), i.loss(), experts, i.signals(), i.moments());
                }),
                bad("malformed", good, i -> TestInsights.withClient(i, " ")),
                bad("malformed", good, i -> {
                    Map<String, Double> signals = new HashMap<>();
                    signals.put("drift.score", null);
                    return copy(i, i.accuracy(), i.loss(), i.experts(), signals, i.moments());
                }),
                bad("oversized payload", good, i -> copy(i, i.accuracy(), i.loss(), i.experts(), i.signals(),
                        new FeatureMoments(10, new double[100_000], new double[100_000]))));
    }

    private static Arguments bad(String reason, Insight good, Function<Insight, Insight> spoil) {
        Insight spoilt = spoil.apply(good);
        return Arguments.of(reason, spoilt);
    }

    private static Insight copy(Insight i, double accuracy, double loss, Map<String, ExpertReport> experts,
                                Map<String, Double> signals, FeatureMoments moments) {
        return new Insight(i.client(), i.domain(), i.round(), i.samples(), accuracy, loss, experts, signals, moments);
    }

    private static Map<String, ExpertReport> withReport(Insight i, ExpertReport r) {
        Map<String, ExpertReport> experts = new TreeMap<>(i.experts());
        experts.put(r.expert(), r);
        return experts;
    }

    private static ExpertReport report(String name, double loss, long samples, long activations, double rate) {
        return new ExpertReport(name, "statistical", loss, samples, activations, rate, Map.of());
    }

    @ParameterizedTest(name = "{0}: {index}")
    @MethodSource("badInsights")
    void rejectsBadInsightsWithTheirReasonAndStoresNothingOfThem(String reason, Insight bad) {
        RecordingLogger log = new RecordingLogger();
        RecordingMetaLearner learner = new RecordingMetaLearner();
        try (GlobalMemory memory = new GlobalMemory(100)) {
            Coordinator coordinator = new Coordinator(memory, learner, log, new InsightValidator(EXPERTS, 64 * 1024));
            Insight good = TestInsights.of("client-2", "coast", 3);
            coordinator.endRound(3, List.of(bad, good));

            assertEquals(1, coordinator.rejected());
            assertEquals(Map.of(reason, 1L), coordinator.rejectedByReason());
            assertEquals(1, memory.accepted(), "only the good insight is stored");
            assertEquals(List.of(memory.pseudonym("client-2")), memory.recent("coast", 10).stream().map(Insight::client).toList());
            assertEquals(1, learner.seen.size());
            assertEquals(memory.pseudonym("client-2"), learner.seen.get(0).client());
            assertEquals(1, log.messages.size());
            String logged = log.messages.get(0);
            assertTrue(logged.contains(reason), logged);
            assertFalse(logged.contains(bad.client()) && !bad.client().isBlank(), "the log names a pseudonym, not the client id: " + logged);
            assertTrue(bad.client().isBlank() || logged.contains(memory.pseudonym(bad.client()).substring(0, 12)), logged);
        }
    }

    @Test
    void regressionInsightsWithNaNAccuracyAndIdleExpertsAreAccepted() {
        Coordinator coordinator = new Coordinator(new GlobalMemory(10), new RecordingMetaLearner(), new RecordingLogger(),
                InsightValidator.forExperts(EXPERTS));
        Insight regression = TestInsights.of("client-1", "coast", 3); // round 3: NaN accuracy and loss
        assertTrue(Double.isNaN(regression.accuracy()));
        coordinator.endRound(3, List.of(regression));
        assertEquals(0, coordinator.rejected());
        assertEquals(1, coordinator.memory().accepted());
    }

    @Test
    void theDefaultMaximumSizeIsOneMebibyte() {
        InsightValidator v = InsightValidator.forExperts(EXPERTS);
        assertEquals(1 << 20, v.maxBytes());
        Insight i = TestInsights.of("c", "coast", 1);
        Insight big = copy(i, i.accuracy(), i.loss(), i.experts(), i.signals(),
                new FeatureMoments(10, new double[150_000], new double[150_000]));
        assertEquals(InsightValidator.Reason.OVERSIZED, v.check(big, 1).orElseThrow().reason());
        Insight fits = copy(i, i.accuracy(), i.loss(), i.experts(), i.signals(),
                new FeatureMoments(10, new double[20_000], new double[20_000]));
        assertTrue(v.check(fits, 1).isEmpty());
        // a coordinator that does not know the run's experts accepts any name
        Insight other = copy(i, i.accuracy(), i.loss(), withReport(i, report("moa-ht", 0.2, 5, 1, 0.1)), i.signals(), i.moments());
        assertTrue(InsightValidator.anyExpert().check(other, 1).isEmpty());
    }

    @Test
    void consensusWeightsReachTheMetaLearnerUnderPseudonyms() {
        RecordingMetaLearner learner = new RecordingMetaLearner();
        try (GlobalMemory memory = new GlobalMemory(10)) {
            Coordinator coordinator = new Coordinator(memory, learner, new RecordingLogger());
            coordinator.endRound(1, List.of(TestInsights.of("client-1", "coast", 1)), Map.of("client-1", 0.25, "client-2", 0.0));
            assertEquals(Map.of(memory.pseudonym("client-1"), 0.25, memory.pseudonym("client-2"), 0.0), learner.weights);
            assertEquals(learner.seen.get(0).client(), memory.pseudonym("client-1"));
        }
    }

    /** On a database, a rejected insight leaves no row behind, and the round's good ones are committed. */
    @ParameterizedTest
    @EnumSource(StoreBackend.class)
    void rejectedInsightsLeaveNoRowInTheDatabase(StoreBackend backend) throws Exception {
        database = backend.fresh(dir);
        List<Insight> round = new ArrayList<>();
        badInsights().forEach(a -> round.add((Insight) a.get()[1]));
        round.add(TestInsights.of("client-9", "coast", 3));
        try (GlobalMemory memory = GlobalMemory.open(database, 100)) {
            Coordinator coordinator = new Coordinator(memory, new RecordingMetaLearner(), new RecordingLogger(),
                    new InsightValidator(EXPERTS, 64 * 1024));
            coordinator.endRound(3, round);
            assertEquals(round.size() - 1, coordinator.rejected());
        }
        try (GlobalMemory memory = GlobalMemory.open(database, 100)) {
            assertEquals(1, memory.accepted());
            assertEquals(Set.of("coast"), memory.domains());
            assertEquals(1, memory.size("coast"));
            assertEquals(memory.pseudonym("client-9"), memory.recent("coast", 10).get(0).client());
        }
        if (backend == StoreBackend.SQLITE) {
            assertTrue(Files.size(dir.resolve("coordinator.db")) < 1 << 20, "no oversized payload was written");
        }
    }

    static final class RecordingMetaLearner implements MetaLearner {
        final List<Insight> seen = new ArrayList<>();
        Map<String, Double> weights = Map.of();

        @Override
        public Map<String, MetaParameters> learn(int round, List<Insight> insights, InsightStore store,
                                                 Map<String, Double> clientWeights) {
            weights = Map.copyOf(clientWeights);
            return learn(round, insights, store);
        }

        @Override
        public Map<String, MetaParameters> learn(int round, List<Insight> insights, InsightStore store) {
            seen.addAll(insights);
            return Map.of();
        }

        @Override
        public MetaParameters parametersFor(String domain, int features) {
            return MetaParameters.none(domain, features);
        }
    }

    static final class RecordingLogger implements Logger {
        final List<String> messages = new ArrayList<>();

        @Override
        public String getName() {
            return "test";
        }

        @Override
        public boolean isLoggable(Level level) {
            return true;
        }

        @Override
        public void log(Level level, ResourceBundle bundle, String msg, Throwable thrown) {
            messages.add(msg);
        }

        @Override
        public void log(Level level, ResourceBundle bundle, String format, Object... params) {
            messages.add(params == null ? format : java.text.MessageFormat.format(format, params));
        }

        @Override
        public void log(Level level, Supplier<String> msgSupplier) {
            messages.add(msgSupplier.get());
        }
    }
}
