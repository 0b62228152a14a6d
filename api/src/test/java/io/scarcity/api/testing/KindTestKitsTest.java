package io.scarcity.api.testing;

import static org.junit.jupiter.api.Assertions.assertThrows;

import io.scarcity.api.Batch;
import io.scarcity.api.BatchOutcome;
import io.scarcity.api.Checkpointable;
import io.scarcity.api.ConfigException;
import io.scarcity.api.DataSchema;
import io.scarcity.api.Expert;
import io.scarcity.api.ExpertCapabilities;
import io.scarcity.api.ExpertState;
import io.scarcity.api.ExpertSupervisor;
import io.scarcity.api.GossipPair;
import io.scarcity.api.GossipStrategy;
import io.scarcity.api.Memory;
import io.scarcity.api.MemoryFactory;
import io.scarcity.api.MemoryStats;
import io.scarcity.api.Peer;
import io.scarcity.api.PluginConfig;
import io.scarcity.api.PluginContext;
import io.scarcity.api.SignalBoard;
import io.scarcity.api.StateReader;
import io.scarcity.api.StateWriter;
import io.scarcity.api.SupervisedClient;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The memory, gossip and supervisor checks of the kit fail on toy plugins that break them, and pass on the
 * same toys without the flaw.
 */
class KindTestKitsTest {
    private static final DataSchema SCHEMA = MemoryTestKit.CLASSIFICATION;

    /** What a toy gets wrong. */
    enum Flaw { NONE, FORGETS_RANDOM, REPLAYS_TOO_MANY, REPLAY_TAKES_ROWS, STALE_PEER, MERGE_IN_PLACE, EXPERTS_CHANGE, UNSEEDED }

    /** A reservoir of labelled rows, replayed as a random sample without repetition. */
    static final class ToyMemory implements Memory, Checkpointable {
        final Flaw flaw;
        final int capacity;
        Random random = new Random(3);
        final List<double[]> rows = new ArrayList<>();
        final List<Integer> labels = new ArrayList<>();
        long seen;

        ToyMemory(Flaw flaw, int capacity) {
            this.flaw = flaw;
            this.capacity = capacity;
        }

        @Override
        public void observe(Batch batch, SignalBoard signals) {
            if (!batch.hasLabels()) {
                return;
            }
            for (int r = 0; r < batch.rows(); r++) {
                if (batch.weight(r) == 0) {
                    continue;
                }
                seen++;
                double[] row = batch.copyRow(r, new double[batch.numFeatures()]);
                if (rows.size() < capacity) {
                    rows.add(row);
                    labels.add(batch.label(r));
                } else {
                    int j = random.nextInt((int) Math.min(seen, Integer.MAX_VALUE));
                    if (j < capacity) {
                        rows.set(j, row);
                        labels.set(j, batch.label(r));
                    }
                }
            }
        }

        @Override
        public Optional<Batch> replay(int n) {
            if (rows.isEmpty()) {
                return Optional.empty();
            }
            int k = flaw == Flaw.REPLAYS_TOO_MANY ? n + 1 : Math.min(n, rows.size());
            List<Integer> order = new ArrayList<>();
            for (int i = 0; i < rows.size(); i++) {
                order.add(i);
            }
            java.util.Collections.shuffle(order, random);
            int d = SCHEMA.numFeatures();
            double[] x = new double[k * d];
            int[] y = new int[k];
            for (int i = 0; i < k; i++) {
                int slot = order.get(i % order.size());
                System.arraycopy(rows.get(slot), 0, x, i * d, d);
                y[i] = labels.get(slot);
            }
            if (flaw == Flaw.REPLAY_TAKES_ROWS) {
                rows.remove(rows.size() - 1);
                labels.remove(labels.size() - 1);
            }
            return Optional.of(Batch.ofClasses(SCHEMA, "dom", 0, x, y));
        }

        @Override
        public MemoryStats stats() {
            return new MemoryStats(Map.of("rows", rows.size()), rows.size() * 8L * (SCHEMA.numFeatures() + 1));
        }

        @Override
        public void saveState(StateWriter out) throws IOException {
            out.writeVersion(1);
            out.writeInt(rows.size());
            for (int i = 0; i < rows.size(); i++) {
                out.writeDoubles(rows.get(i));
                out.writeInt(labels.get(i));
            }
            out.writeLong(seen);
            if (flaw != Flaw.FORGETS_RANDOM) {
                out.writeRandom(random);
            }
        }

        @Override
        public void restoreState(StateReader in) throws IOException {
            in.readVersion("toy memory", 1);
            int n = in.readInt();
            List<double[]> r = new ArrayList<>();
            List<Integer> l = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                r.add(in.readDoubles(SCHEMA.numFeatures(), "a row"));
                l.add(in.readInt());
            }
            long s = in.readLong();
            Random g = flaw == Flaw.FORGETS_RANDOM ? random : in.readRandom();
            rows.clear();
            rows.addAll(r);
            labels.clear();
            labels.addAll(l);
            seen = s;
            random = g;
        }
    }

    /** A toy memory factory whose one option, {@code capacity}, must be at least 1. */
    static final class ToyMemoryFactory implements MemoryFactory {
        final boolean namesThePath;

        ToyMemoryFactory(boolean namesThePath) {
            this.namesThePath = namesThePath;
        }

        @Override
        public String name() {
            return "toy-memory";
        }

        @Override
        public String description() {
            return "a reservoir";
        }

        @Override
        public Memory create(PluginConfig config, PluginContext context) {
            int capacity = config.getInt("capacity", 20);
            if (capacity < 1) {
                throw namesThePath ? config.invalid("capacity", "must be >= 1, got " + capacity)
                        : new ConfigException("capacity", "must be >= 1, got " + capacity);
            }
            return new ToyMemory(Flaw.NONE, capacity);
        }
    }

    private static void memoryContract(Flaw flaw) throws IOException {
        MemoryTestKit.assertCheckpointContract(() -> new ToyMemory(flaw, 20), SCHEMA, "toy memory");
    }

    @Test
    void aWholeToyMemoryPassesTheMemoryContract() throws IOException {
        memoryContract(Flaw.NONE);
        PluginTestKit.assertBadOptionsRefused(new ToyMemoryFactory(true), PluginContext.standalone(1, SCHEMA, "toy"),
                PluginTestKit.bad("capacity", 0, -3));
    }

    @Test
    void aMemoryWhoseCheckpointForgetsItsGeneratorFailsTheRoundTrip() {
        assertThrows(AssertionError.class, () -> memoryContract(Flaw.FORGETS_RANDOM));
    }

    @Test
    void aMemoryThatReplaysMoreRowsThanAskedFails() {
        assertThrows(AssertionError.class, () -> memoryContract(Flaw.REPLAYS_TOO_MANY));
    }

    @Test
    void aMemoryWhoseReplayChangesWhatItStoresFails() {
        assertThrows(AssertionError.class, () -> memoryContract(Flaw.REPLAY_TAKES_ROWS));
    }

    @Test
    void aRefusalWithoutTheOptionsFullPathFailsTheBadOptionCheck() {
        assertThrows(AssertionError.class, () -> PluginTestKit.assertBadOptionsRefused(new ToyMemoryFactory(false),
                PluginContext.standalone(1, SCHEMA, "toy"), List.of(PluginTestKit.bad("capacity", 0))));
        assertThrows(AssertionError.class, () -> PluginTestKit.assertBadOptionsRefused(new ToyMemoryFactory(true),
                PluginContext.standalone(1, SCHEMA, "toy"), List.of(PluginTestKit.bad("capacity", 5))), "a good value is accepted");
    }

    /** Shuffles the live peers with its generator and pairs them in order. */
    static final class ToyGossip implements GossipStrategy, Checkpointable {
        final Flaw flaw;
        Random random = new Random(5);
        List<Peer> last = List.of();
        int plans;

        ToyGossip(Flaw flaw) {
            this.flaw = flaw;
            if (flaw == Flaw.UNSEEDED) {
                random = new Random();
            }
        }

        @Override
        public List<GossipPair> plan(int round, List<Peer> peers) {
            plans++;
            List<Peer> order = new ArrayList<>(peers);
            java.util.Collections.shuffle(order, random);
            List<GossipPair> pairs = new ArrayList<>();
            for (int i = 0; i + 1 < order.size(); i += 2) {
                pairs.add(new GossipPair(order.get(i).id(), order.get(i + 1).id()));
            }
            if (flaw == Flaw.STALE_PEER && !last.isEmpty() && !order.isEmpty()) {
                Peer gone = last.stream().filter(p -> !peers.contains(p)).findFirst().orElse(null);
                if (gone != null) {
                    pairs.add(new GossipPair(order.get(0).id(), gone.id()));
                }
            }
            last = List.copyOf(peers);
            return pairs;
        }

        @Override
        public ExpertState merge(ExpertState mine, ExpertState theirs) {
            if (flaw == Flaw.MERGE_IN_PLACE) {
                double[] w = mine.weights().get("w");
                w[0] = 0.5 * (w[0] + theirs.weight("w")[0]);
                return mine;
            }
            return GossipStrategy.super.merge(mine, theirs);
        }

        @Override
        public int expertsPerExchange() {
            return flaw == Flaw.EXPERTS_CHANGE ? plans % 3 : 2;
        }

        @Override
        public void saveState(StateWriter out) throws IOException {
            out.writeVersion(1);
            if (flaw != Flaw.FORGETS_RANDOM) {
                out.writeRandom(random);
            }
        }

        @Override
        public void restoreState(StateReader in) throws IOException {
            in.readVersion("toy gossip", 1);
            if (flaw != Flaw.FORGETS_RANDOM) {
                random = in.readRandom();
            }
        }
    }

    private static void gossipContract(Flaw flaw) throws IOException {
        GossipTestKit.assertCheckpointContract(() -> new ToyGossip(flaw), "toy gossip", true);
    }

    @Test
    void aWholeToyStrategyPassesTheGossipContract() throws IOException {
        gossipContract(Flaw.NONE);
    }

    @Test
    void aStrategyThatPairsAPeerThatLeftFails() {
        assertThrows(AssertionError.class, () -> gossipContract(Flaw.STALE_PEER));
    }

    @Test
    void aMergeThatChangesItsInputFails() {
        assertThrows(AssertionError.class, () -> gossipContract(Flaw.MERGE_IN_PLACE));
    }

    @Test
    void expertsPerExchangeThatChangesFails() {
        assertThrows(AssertionError.class, () -> gossipContract(Flaw.EXPERTS_CHANGE));
    }

    @Test
    void aStrategyThatIgnoresItsSeedFailsDeterminism() {
        assertThrows(AssertionError.class, () -> gossipContract(Flaw.UNSEEDED));
    }

    @Test
    void aStrategyWhoseCheckpointForgetsItsGeneratorFailsTheRoundTrip() {
        assertThrows(AssertionError.class, () -> gossipContract(Flaw.FORGETS_RANDOM));
    }

    /** Halves the scale of an expert whose loss rose since the batch before, doubling it back after a drift. */
    static final class ToySupervisor implements Expert, ExpertSupervisor, Checkpointable {
        final boolean savesLosses;
        final Map<String, Double> previous = new java.util.TreeMap<>();

        ToySupervisor(boolean savesLosses) {
            this.savesLosses = savesLosses;
        }

        @Override
        public ExpertCapabilities capabilities() {
            return new ExpertCapabilities(false, false, Set.of("drift.detected"), Set.of());
        }

        @Override
        public void learn(Batch batch, BatchOutcome outcome, SignalBoard signals) {
        }

        @Override
        public void supervise(SupervisedClient client) {
            boolean drift = client.signals().get("drift.detected", 0) == 1;
            for (String e : client.experts()) {
                double loss = client.loss(e);
                if (Double.isNaN(loss)) {
                    continue;
                }
                Double before = previous.put(e, loss);
                if (drift) {
                    client.scaleLearningRate(e, Math.min(1, 2 * client.learningRate(e) / 0.1));
                } else if (before != null && loss > before) {
                    client.scaleLearningRate(e, Math.max(0.01, 0.5 * client.learningRate(e) / 0.1));
                }
            }
        }

        @Override
        public void saveState(StateWriter out) throws IOException {
            out.writeVersion(1);
            out.writeDoubleMap(savesLosses ? previous : Map.of());
        }

        @Override
        public void restoreState(StateReader in) throws IOException {
            in.readVersion("toy supervisor", 1);
            previous.clear();
            previous.putAll(in.readDoubleMap());
        }
    }

    /** Least squares by SGD on the features, with an EWC penalty; {@code flawed}: a penalty of strength 0 still pulls. */
    static final class ToyRegressor implements Expert, Checkpointable {
        final boolean flawed;
        double[] w = new double[ExpertTestKit.REGRESSION.numFeatures()];
        double[] fisher = new double[w.length];
        double[] anchor = new double[w.length];
        double[] importance = new double[w.length];
        double strength;
        long samples;

        ToyRegressor(boolean flawed) {
            this.flawed = flawed;
        }

        @Override
        public ExpertCapabilities capabilities() {
            return new ExpertCapabilities(false, true, Set.of(), Set.of());
        }

        @Override
        public void learn(Batch batch, BatchOutcome outcome, SignalBoard signals) {
            if (!batch.hasLabels()) {
                return;
            }
            for (int r = 0; r < batch.rows(); r++) {
                double e = -batch.target(r);
                for (int j = 0; j < w.length; j++) {
                    e += w[j] * batch.value(r, j) / 100;
                }
                for (int j = 0; j < w.length; j++) {
                    double g = e * batch.value(r, j) / 100;
                    fisher[j] += (g * g - fisher[j]) * 0.05;
                    double pull = strength > 0 || flawed ? (strength + 1e-3) * importance[j] * (w[j] - anchor[j]) : 0;
                    w[j] -= 1e-3 * (g + pull);
                }
                samples++;
            }
        }

        @Override
        public Optional<ExpertState> importance() {
            return Optional.of(new ExpertState("toy", Map.of("w", fisher.clone()), samples));
        }

        @Override
        public ExpertState exportState() {
            return new ExpertState("toy", Map.of("w", w.clone()), samples);
        }

        @Override
        public boolean penalise(ExpertState anchor, ExpertState importance, double strength) {
            if (!(strength >= 0) || Double.isInfinite(strength)) {
                throw new IllegalArgumentException("strength must be finite and >= 0, got " + strength);
            }
            double[] a = check("anchor", anchor, false);
            double[] f = check("importance", importance, true);
            for (double x : f) {
                if (!Double.isFinite(x * strength)) {
                    throw new IllegalArgumentException("strength x importance overflows");
                }
            }
            // strength 0 removes the penalty: nothing of it is kept
            this.anchor = strength == 0 && !flawed ? new double[w.length] : a.clone();
            this.importance = strength == 0 && !flawed ? new double[w.length] : f.clone();
            this.strength = strength;
            return true;
        }

        private double[] check(String what, ExpertState state, boolean nonNegative) {
            for (String name : state.weights().keySet()) {
                if (!name.equals("w")) {
                    throw new IllegalArgumentException(what + " has an unknown array '" + name + "'");
                }
            }
            double[] v = state.weights().get("w");
            if (v == null || v.length != w.length) {
                throw new IllegalArgumentException(what + " needs 'w' of " + w.length + " values");
            }
            for (double x : v) {
                if (!Double.isFinite(x) || nonNegative && x < 0) {
                    throw new IllegalArgumentException(what + " 'w' has a bad value " + x);
                }
            }
            return v;
        }

        @Override
        public void saveState(StateWriter out) throws IOException {
            out.writeVersion(1);
            for (double[] v : List.of(w, fisher, anchor, importance)) {
                out.writeDoubles(v);
            }
            out.writeDouble(strength);
            out.writeLong(samples);
        }

        @Override
        public void restoreState(StateReader in) throws IOException {
            in.readVersion("toy regressor", 1);
            w = in.readDoubles(w.length, "w");
            fisher = in.readDoubles(w.length, "fisher");
            anchor = in.readDoubles(w.length, "anchor");
            importance = in.readDoubles(w.length, "importance");
            strength = in.readDouble();
            samples = in.readLong();
        }
    }

    @Test
    void aToyRegressorKeepsThePenaltyContractUnlessStrengthZeroStillPulls() throws IOException {
        ExpertTestKit.assertPenaltyContract(() -> new ToyRegressor(false), ExpertTestKit.REGRESSION, "toy");
        assertThrows(AssertionError.class,
                () -> ExpertTestKit.assertPenaltyContract(() -> new ToyRegressor(true), ExpertTestKit.REGRESSION, "toy"));
    }

    @Test
    void aWholeToySupervisorPassesTheSupervisionContract() throws IOException {
        ExpertTestKit.assertCheckpointContract(() -> new ToySupervisor(true), ExpertTestKit.CLASSIFICATION, "toy", "toy supervisor");
    }

    @Test
    void aSupervisorWhoseCheckpointForgetsWhatItSawFailsTheSupervisionRoundTrip() {
        assertThrows(AssertionError.class, () -> ExpertTestKit.assertSupervisionContract(() -> new ToySupervisor(false),
                ExpertTestKit.CLASSIFICATION));
    }
}
