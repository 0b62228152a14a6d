package io.scarcity.runtime.client;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scarcity.api.Batch;
import io.scarcity.api.Expert;
import io.scarcity.api.Prediction;
import io.scarcity.api.Router;
import io.scarcity.api.Routing;
import io.scarcity.api.RoutingContext;
import io.scarcity.api.StateReader;
import io.scarcity.api.StateWriter;
import io.scarcity.runtime.config.ConfigLoader;
import io.scarcity.runtime.config.LoadedConfig;
import io.scarcity.runtime.config.MixtureConfig;
import io.scarcity.runtime.engine.Assembly;
import io.scarcity.runtime.plugin.PluginRegistry;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** {@code mixture.combiner: hedge}: a mixture never worse than its best expert. */
class HedgeCombinerTest {
    private static final MixtureConfig ROUTER = new MixtureConfig("none", "accuracy", "active", "router", 0.001, 0.0);
    private static final MixtureConfig HEDGE = new MixtureConfig("none", "accuracy", "active", "hedge", 0.001, 0.0);
    private static final MixtureConfig STACK = new MixtureConfig("none", "accuracy", "active", "stack", 0.001, 0.0);

    /**
     * Right on a fixed share of the rows (which ones depends on its salt), giving the class it predicts
     * probability {@code sure} when right and {@code blunder} when wrong.
     */
    static final class Scripted extends TwoClassExpert {
        final int percent;
        final int salt;
        final double sure;
        final double blunder;

        Scripted(int percent, int salt, double sure, double blunder) {
            this.percent = percent;
            this.salt = salt;
            this.sure = sure;
            this.blunder = blunder;
        }

        @Override
        double classZero(Batch batch, int r) {
            long row = batch.firstRow() + r;
            boolean right = Math.floorMod(row * 7919 + salt * 104729L, 100) < percent;
            int predicted = right ? batch.label(r) : 1 - batch.label(r);
            double s = right ? sure : blunder;
            return predicted == 0 ? s : 1 - s;
        }
    }

    /** Activates the first {@code k} candidates, equally weighted. */
    static final class First implements Router {
        final int k;

        First(int k) {
            this.k = k;
        }

        @Override
        public Routing route(RoutingContext context) {
            return Routing.uniform(context.candidates().subList(0, k));
        }

        @Override
        public void reward(Routing routing, Map<String, Double> rewards) {
            assertEquals(Set.copyOf(routing.active()), rewards.keySet(), "the router hears of exactly the experts it activated");
        }
    }

    /** Activates one candidate per batch in turn. */
    static final class Turns implements Router {
        int next;

        @Override
        public Routing route(RoutingContext context) {
            return Routing.uniform(List.of(context.candidates().get(next++ % context.candidates().size())));
        }

        @Override
        public void reward(Routing routing, Map<String, Double> rewards) {
            assertEquals(Set.copyOf(routing.active()), rewards.keySet(), "the router hears of exactly the experts it activated");
        }
    }

    /** 50 rows from {@code first}, pseudo-random labels. */
    static Batch batch(long first) {
        int[] y = new int[50];
        for (int r = 0; r < y.length; r++) {
            y[r] = Math.floorMod((first + r) * 2654435761L, 7) < 3 ? 1 : 0;
        }
        return Batch.ofClasses(ClientNodeTest.SCHEMA, "d", first, new double[100], y);
    }

    static List<Batch> batches(long first, int count) {
        List<Batch> out = new ArrayList<>();
        for (int b = 0; b < count; b++) {
            out.add(batch(first + 50L * b));
        }
        return out;
    }

    static ClientNode node(Router router, MixtureConfig mixture, Expert... experts) {
        List<ExpertSlot> slots = new ArrayList<>();
        for (int i = 0; i < experts.length; i++) {
            slots.add(new ExpertSlot("e" + i, "scripted", experts[i]));
        }
        return new ClientNode("d-0", "d", ClientNodeTest.SCHEMA, slots, router, ClientNodeTest.client("").memory(), 0, 5, 20,
                List.of(), mixture);
    }

    static double accuracy(ClientRoundResult r) {
        return (double) r.correct() / r.rows();
    }

    @Test
    void withOneGoodAndSeveralBadExpertsTheMixtureIsAsAccurateAsTheGoodOne() {
        Expert[] experts = {new Scripted(60, 1, 0.9, 0.9), new Scripted(55, 2, 0.9, 0.9), new Scripted(90, 3, 0.8, 0.8),
                new Scripted(60, 4, 0.9, 0.9)};
        List<Batch> stream = batches(0, 40);
        double good = accuracy(node(new First(1), ROUTER, experts[2]).runRound(1, stream));
        assertEquals(0.9, good, 0.02);
        ClientRoundResult uniform = node(new First(4), ROUTER, experts).runRound(1, stream);
        assertTrue(accuracy(uniform) < good - 0.1, "the router's equal weights let the bad experts drag it down: " + accuracy(uniform));
        ClientRoundResult hedged = node(new First(4), HEDGE, experts).runRound(1, stream);
        assertTrue(accuracy(hedged) >= good - 0.01, "hedge " + accuracy(hedged) + " against the good expert's " + good);
        assertTrue(hedged.metrics().plugins().get("mixture.weight.e2") > 0.9, hedged.metrics().plugins().toString());
    }

    /** Sure and right (0.9) on rows of class {@code sureOn}; on the others it leans, wrongly, to {@code sureOn} (0.55). */
    static final class Complement extends TwoClassExpert {
        final int sureOn;

        Complement(int sureOn) {
            this.sureOn = sureOn;
        }

        @Override
        double classZero(Batch batch, int r) {
            double onSure = batch.label(r) == sureOn ? 0.9 : 0.55;
            return sureOn == 0 ? onSure : 1 - onSure;
        }
    }

    @Test
    void stackingFindsTheCombinationOfComplementaryExpertsThatBeatsEachAlone() {
        Expert[] experts = {new Complement(0), new Complement(1)};
        List<Batch> stream = batches(0, 60);
        double best = Math.max(accuracy(node(new First(1), ROUTER, experts[0]).runRound(1, stream)),
                accuracy(node(new First(1), ROUTER, new Complement(1)).runRound(1, stream)));
        assertTrue(best < 0.6, "each alone is right only on its own class: " + best);
        // an even mix predicts both classes right, on every row
        ClientRoundResult stacked = node(new First(2), STACK, experts).runRound(1, stream);
        assertTrue(accuracy(stacked) > 0.95, "stacking " + accuracy(stacked));
        double w0 = stacked.metrics().plugins().get("mixture.weight.e0");
        assertTrue(w0 > 0.3 && w0 < 0.7, "the weights stay near the best combination, about even: " + w0);
        // the Bayes mixture concentrates on the expert with the better log loss; only its guard can save it
        ClientRoundResult hedged = node(new First(2), HEDGE, experts).runRound(1, stream);
        double h0 = hedged.metrics().plugins().get("mixture.weight.e0");
        assertTrue(h0 < 0.05 || h0 > 0.95, "hedge concentrates: " + h0);
    }

    /**
     * A personal twin ({@code federation.personal}) starts at a quarter of a shared expert's weight, and fixed share
     * pulls it back there rather than to even weights; when it is the better expert it still takes over.
     */
    @Test
    void aPersonalTwinStartsAtAnEqualWeightAndTheBetterOneEarnsTheRest() {
        MixtureConfig stack = new MixtureConfig("none", "accuracy", "all", "stack", 0.001, 0.0);
        List<ExpertSlot> slots = List.of(new ExpertSlot("e0", "scripted", new Scripted(60, 1, 0.9, 0.9)),
                new ExpertSlot("e0@own", "scripted", new Scripted(90, 3, 0.8, 0.8), true));
        ClientNode node = new ClientNode("d-0", "d", ClientNodeTest.SCHEMA, slots, new First(2), ClientNodeTest.client("").memory(),
                0, 5, 20, List.of(), stack);
        ClientRoundResult r = node.runRound(1, batches(0, 40));
        assertTrue(r.metrics().plugins().get("mixture.weight.e0@own") > 0.75, "the better personal twin takes over: " + r.metrics().plugins());
        double good = accuracy(node(new First(1), ROUTER, new Scripted(90, 3, 0.8, 0.8)).runRound(1, batches(0, 40)));
        assertTrue(accuracy(r) >= good - 0.01, "as accurate as the better one alone: " + accuracy(r) + " against " + good);
        // two equally good experts: the weights stay where they started, at 1 : 1, and fixed share keeps them there
        List<ExpertSlot> equal = List.of(new ExpertSlot("e0", "scripted", new Scripted(80, 1, 0.8, 0.8)),
                new ExpertSlot("e0@own", "scripted", new Scripted(80, 1, 0.8, 0.8), true));
        ClientRoundResult same = new ClientNode("d-0", "d", ClientNodeTest.SCHEMA, equal, new First(2), ClientNodeTest.client("").memory(),
                0, 5, 20, List.of(), new MixtureConfig("none", "accuracy", "all", "stack", 0.01, 0.0)).runRound(1, batches(0, 40));
        assertEquals(0.5, same.metrics().plugins().get("mixture.weight.e0@own"), 1e-9);
    }

    @Test
    void theLeaderRunsOnEveryBatchOnceItHasEarnedTheLargestWeight() {
        Expert[] experts = {new Scripted(60, 1, 0.9, 0.9), new Scripted(55, 2, 0.9, 0.9), new Scripted(90, 3, 0.8, 0.8)};
        ClientNode node = node(new Turns(), HEDGE, experts);
        node.runRound(1, batches(0, 12));
        ClientRoundResult later = node.runRound(2, batches(600, 30));
        assertEquals(30, later.metrics().experts().get("e2").activations(), "the router chose it on 10 batches, the combiner on the rest");
        assertEquals(10, later.metrics().experts().get("e0").activations());
        double good = accuracy(node(new First(1), ROUTER, experts[2]).runRound(1, batches(600, 30)));
        assertTrue(accuracy(later) >= good - 0.01, "hedge " + accuracy(later) + " against the good expert's " + good);
        ClientRoundResult routed = node(new Turns(), ROUTER, experts).runRound(1, batches(600, 30));
        assertTrue(accuracy(routed) < good - 0.1, "the router alone uses the good expert on a third of the batches: " + accuracy(routed));
    }

    @Test
    void theGuardFollowsTheMoreAccurateExpertWhenLogLossPrefersAnother() {
        // e0 is right on 90% but, when wrong, gives the truth 1e-9: its log loss is worse than e1's, which
        // is right on 70% and never sure. The Bayes mixture follows e1; accuracy needs e0.
        Expert[] experts = {new Scripted(90, 5, 0.95, 1 - 1e-9), new Scripted(70, 6, 0.7, 0.7)};
        List<Batch> stream = batches(0, 40);
        double best = accuracy(node(new First(1), ROUTER, experts[0]).runRound(1, stream));
        ClientRoundResult hedged = node(new First(2), HEDGE, experts).runRound(1, stream);
        assertTrue(hedged.metrics().plugins().get("mixture.weight.e1") > 0.5, "log loss prefers e1: " + hedged.metrics().plugins());
        assertTrue(hedged.metrics().plugins().get("mixture.guarded-batches") > 30, hedged.metrics().plugins().toString());
        assertTrue(accuracy(hedged) >= best - 0.02, "hedge " + accuracy(hedged) + " against the best expert's " + best);
    }

    @Test
    void fixedShareTurnsToANewBestExpertAfterADrift() {
        HedgeCombiner tracking = new HedgeCombiner(List.of("a", "b"), 0.001);
        HedgeCombiner stubborn = new HedgeCombiner(List.of("a", "b"), 0.0);
        int[] labels = new int[50];
        Prediction p = Prediction.ofProbabilities(50, 2, new double[100]);
        List<String> both = List.of("a", "b");
        int trackingBatches = -1;
        int stubbornBatches = -1;
        for (int b = 0; b < 200; b++) {
            // a is better (0.3 nats a row) for 100 batches, then b is
            double[] loss = b < 100 ? new double[] {10, 25} : new double[] {25, 10};
            tracking.update(both, tracking.weights(both), loss, new Prediction[] {p, p}, p, p, labels);
            stubborn.update(both, stubborn.weights(both), loss, new Prediction[] {p, p}, p, p, labels);
            if (b >= 100 && trackingBatches < 0 && tracking.leader() == 1) {
                trackingBatches = b - 99;
            }
            if (b >= 100 && stubbornBatches < 0 && stubborn.leader() == 1) {
                stubbornBatches = b - 99;
            }
        }
        assertTrue(trackingBatches > 0 && trackingBatches <= 2, "fixed share turned in " + trackingBatches + " batches");
        assertTrue(stubbornBatches < 0 || stubbornBatches >= 99, "without it, b must first make up a's whole lead: " + stubbornBatches);
        assertTrue(tracking.weight("a") >= 0.001 * 50 / 2 * 0.9, "no weight falls below the share's floor");
    }

    @Test
    void sleepingExpertsKeepTheirWeightAndTheAwakeKeepTheirMass() {
        HedgeCombiner h = new HedgeCombiner(List.of("a", "b", "c"), 0.0);
        Prediction p = Prediction.ofProbabilities(10, 2, new double[20]);
        List<String> awake = List.of("a", "b");
        h.update(awake, h.weights(awake), new double[] {1, 5}, new Prediction[] {p, p}, p, p, new int[10]);
        assertEquals(1.0 / 3, h.weight("c"), 1e-12);
        assertEquals(2.0 / 3, h.weight("a") + h.weight("b"), 1e-12);
        assertEquals(Math.exp(4), h.weight("a") / h.weight("b"), 1e-9);
        assertEquals(List.of("b", "a"), h.awake(List.of("b"), false, 0), "the leader joins the router's choice");
        assertEquals(List.of("b", "a", "c"), h.awake(List.of("b"), true, 0.3), "with training: all, every expert above the sleep weight");
        assertEquals(List.of("b", "a"), h.awake(List.of("b"), true, 0.4));
    }

    /** Class 0 with certainty on every row where {@code right} says so, class 1 elsewhere, for labels all 0. */
    static Prediction rightOn(int n, int rightRows) {
        double[] p = new double[2 * n];
        for (int r = 0; r < n; r++) {
            p[2 * r + (r < rightRows ? 0 : 1)] = 1;
        }
        return Prediction.ofProbabilities(n, 2, p);
    }

    /**
     * The router's mix is a meta-expert of the guard only while it mixes the same experts: its lead, earned while the
     * router activated one expert, says nothing of its mix once the router activates another (on the sensor motes the
     * guard followed the router's mix onto an LSTM that was wrong on every row, on a lead the statistical expert had
     * earned).
     */
    @Test
    void theGuardTrustsTheRoutersMixOnlyForTheExpertsItMixed() {
        HedgeCombiner h = new HedgeCombiner(List.of("a", "b"), 0.0);
        List<String> both = List.of("a", "b");
        int[] labels = new int[50];
        Prediction a = rightOn(50, 40);
        Prediction b = rightOn(50, 0);
        // the router activated a (and its mix, here right on every row, beat a itself); the mixture erred everywhere
        h.update(both, h.weights(both), new double[] {1, 1}, null, null, new Prediction[] {a, b}, b, rightOn(50, 50),
                List.of("a"), labels);
        assertEquals(2, h.guard(both, List.of("a")), "the same routing: the router's mix, with the largest lead");
        assertEquals(0, h.guard(both, List.of("b")), "another routing: the best expert, not the router's old lead");
        // a batch routed to b starts the router's lead again, from b's mix
        h.update(both, h.weights(both), new double[] {1, 1}, null, null, new Prediction[] {a, b}, b, b, List.of("b"), labels);
        assertEquals(0, h.guard(both, List.of("b")));
    }

    /** An expert the guard would follow stays awake, however small its weight, so that the guard can follow it. */
    @Test
    void theExpertTheGuardFollowsDoesNotSleep() {
        HedgeCombiner h = new HedgeCombiner(List.of("a", "b", "c"), 0.0);
        List<String> all = List.of("a", "b", "c");
        int[] labels = new int[50];
        // a is right on every row but, by log loss, the worst by far; b and c and the mixture are wrong everywhere
        Prediction wrong = rightOn(50, 0);
        h.update(all, h.weights(all), new double[] {100, 1, 1}, null, null, new Prediction[] {rightOn(50, 50), wrong, wrong},
                wrong, wrong, List.of("b"), labels);
        assertTrue(h.weight("a") < 1e-6, "a's weight " + h.weight("a"));
        assertEquals(List.of("b", "a", "c"), h.awake(List.of("b"), true, 0.3), "a stays awake for the guard");
        assertEquals(List.of("b", "a"), h.awake(List.of("b"), false, 0.3));
        assertEquals(1, h.guard(h.awake(List.of("b"), true, 0.3), List.of("b")), "and the guard follows it");
    }

    @Test
    void aSingleExpertPredictsExactlyAsUnderTheRouter() {
        List<Batch> stream = batches(0, 10);
        ClientRoundResult routed = node(new First(1), ROUTER, new Scripted(80, 1, 0.7, 0.99)).runRound(1, stream);
        ClientRoundResult hedged = node(new First(1), HEDGE, new Scripted(80, 1, 0.7, 0.99)).runRound(1, stream);
        assertEquals(routed.correct(), hedged.correct());
        assertEquals(routed.logLossSum(), hedged.logLossSum());
        assertEquals(routed.metrics().plugins(), hedged.metrics().plugins(), "no weights reported for one expert");
    }

    static ClientNode client(String mixture) {
        LoadedConfig c = ConfigLoader.parse("""
                name: t
                domains: [{name: d, clients: 1, stream: {type: sea}}]
                experts:
                  - {plugin: statistical, name: fast, config: {learningRate: 0.2}}
                  - {plugin: statistical, name: slow, config: {learningRate: 0.005}}
                  - {plugin: drift}
                """ + mixture, "t.yaml", Path.of("."), Map.of(), List.of());
        try (PluginRegistry r = PluginRegistry.load(null, HedgeCombinerTest.class.getClassLoader())) {
            return new Assembly(c.config(), r).client("d-0", "d", ClientNodeTest.SCHEMA);
        }
    }

    @Test
    void aRestoredClientCombinesExactlyAsTheSavedOne() throws IOException {
        String mixture = "mixture: {combiner: hedge, training: all, sleep: 0.2}\n";
        ClientNode a = client(mixture);
        Random rnd = new Random(3);
        java.util.function.Supplier<Batch> next = () -> {
            double[] x = new double[100];
            int[] y = new int[50];
            for (int r = 0; r < 50; r++) {
                y[r] = rnd.nextInt(2);
                x[2 * r] = rnd.nextGaussian() + y[r];
                x[2 * r + 1] = rnd.nextGaussian();
            }
            return Batch.ofClasses(ClientNodeTest.SCHEMA, "d", 0, x, y);
        };
        for (int round = 1; round <= 3; round++) {
            a.runRound(round, List.of(next.get(), next.get()));
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        StateWriter w = new StateWriter(bytes);
        a.saveState(w);
        w.flush();
        ClientNode b = client(mixture);
        b.restoreState(new StateReader(new ByteArrayInputStream(bytes.toByteArray())));
        for (int round = 4; round <= 8; round++) {
            List<Batch> batches = List.of(next.get(), next.get());
            ClientRoundResult ra = a.runRound(round, batches);
            ClientRoundResult rb = b.runRound(round, batches);
            assertEquals(ra.correct(), rb.correct(), "round " + round);
            assertEquals(ra.logLossSum(), rb.logLossSum(), "round " + round);
            assertEquals(ra.metrics().plugins(), rb.metrics().plugins(), "round " + round);
            assertTrue(ra.metrics().plugins().containsKey("mixture.weight.fast"), ra.metrics().plugins().toString());
            Batch held = next.get();
            assertArrayEquals(probabilities(a.evaluate(held)), probabilities(b.evaluate(held)));
        }
        // a checkpoint of the router's mixing has no combiner section; reading one into the other is caught
        ClientNode routerMixed = client("mixture: {combiner: router}\n");
        IOException e = assertThrows(IOException.class,
                () -> routerMixed.restoreState(new StateReader(new ByteArrayInputStream(bytes.toByteArray()))));
        assertTrue(e.getMessage() != null, "named");
    }

    private static double[] probabilities(Prediction p) {
        double[] out = new double[p.rows() * p.numClasses()];
        for (int r = 0; r < p.rows(); r++) {
            for (int c = 0; c < p.numClasses(); c++) {
                out[r * p.numClasses() + c] = p.probability(r, c);
            }
        }
        return out;
    }

}
