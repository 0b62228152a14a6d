package io.scarcity.api.testing;

import io.scarcity.api.Checkpointable;
import io.scarcity.api.Expert;
import io.scarcity.api.ExpertState;
import io.scarcity.api.ExpertSupervisor;
import io.scarcity.api.InMemorySignalBoard;
import io.scarcity.api.SignalBoard;
import io.scarcity.api.StandardSignals;
import io.scarcity.api.StateReader;
import io.scarcity.api.StateWriter;
import io.scarcity.api.SupervisedClient;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.LongFunction;

/**
 * A {@link SupervisedClient} of scripted experts, to test an {@link ExpertSupervisor} without the runtime.
 * A test sets what the supervisor sees (each expert's activity and loss, the drift signal, the batch
 * index) and reads what it asked for (learning-rate scales, freezing, replays, EWC penalties). Like the
 * runtime's client it refuses unknown expert names, replays nothing into a frozen expert and at most
 * {@link #memoryRows} rows, and checks scales and penalty strengths.
 *
 * <p>It is {@link Checkpointable} as the runtime's client is: the batch index, the signal board, and per
 * expert its frozen flag and learning-rate scale (what a supervisor set and a resumed run keeps); the
 * records of calls and the scripted behaviour are not state. {@link Supervision} checkpoints a supervisor
 * together with its client, for {@link PluginTestKit#assertRoundTrip}.
 */
public final class FakeSupervisedClient implements SupervisedClient, Checkpointable {
    /** One supervised expert: what the supervisor sees of it, how it answers, and the calls it got. */
    public static final class Supervised {
        public final String name;
        /** Whether the router activated it on the batch just learned. */
        public boolean active = true;
        /** Its mean loss on the batch just learned (seen only while active). */
        public double loss = Double.NaN;
        /** Its learning rate before any scale. */
        public double rate = 0.1;
        /** Whether it applies a learning-rate scale ({@link SupervisedClient#scaleLearningRate}). */
        public boolean takesScales = true;
        public double scale = 1;
        public boolean frozen;
        /** Whether it applies an EWC penalty ({@link SupervisedClient#penalise}). */
        public boolean appliesPenalties = true;
        /** Its importance at a batch index, or {@code null} if it estimates none. */
        public LongFunction<ExpertState> importance;
        /** Its weights at a batch index, or {@code null} if it is not gossipable. */
        public LongFunction<ExpertState> weights;
        /** Called with every penalty it applies, if set. */
        public Consumer<Penalty> onPenalty;
        public int scaleCalls;
        public int importanceAsked;
        public int weightsAsked;
        /** The rows of each replay into it. */
        public final List<Integer> replays = new ArrayList<>();
        /** Every penalty asked of it, applied or not. */
        public final List<Penalty> penalties = new ArrayList<>();

        public Supervised(String name) {
            this.name = Objects.requireNonNull(name, "name is null");
        }

        /** Everything a supervisor set or asked of it, exactly. */
        public String fingerprint() {
            StringBuilder s = new StringBuilder(name).append(" scale ").append(scale).append(" frozen ").append(frozen)
                    .append(" scaleCalls ").append(scaleCalls).append(" replays ").append(replays);
            for (Penalty p : penalties) {
                s.append(" penalty@").append(p.batch()).append(' ').append(p.strength()).append(' ')
                        .append(MetaLearnerTestKit.fingerprint(p.anchor())).append(' ')
                        .append(MetaLearnerTestKit.fingerprint(p.importance()));
            }
            return s.toString();
        }
    }

    /** An EWC penalty asked of an expert after batch {@code batch}. */
    public record Penalty(long batch, ExpertState anchor, ExpertState importance, double strength) {
    }

    /** The experts in config order, by name. */
    public final Map<String, Supervised> experts = new LinkedHashMap<>();
    public final InMemorySignalBoard signals = new InMemorySignalBoard();
    /** The index of the batch just learned. */
    public long batch;
    /** The rows the client's memory holds: a replay gives at most as many. */
    public int memoryRows = Integer.MAX_VALUE;

    public FakeSupervisedClient(Supervised... experts) {
        for (Supervised e : experts) {
            this.experts.put(e.name, e);
        }
    }

    /** Adds an expert that does or does not take learning-rate scales. */
    public FakeSupervisedClient add(String name, boolean takesScales) {
        Supervised e = new Supervised(name);
        e.takesScales = takesScales;
        experts.put(name, e);
        return this;
    }

    /** The expert named so, or {@code null}. */
    public Supervised get(String name) {
        return experts.get(name);
    }

    /** Publishes this batch's drift signal, as the drift expert does on every batch. */
    public void drift(boolean detected) {
        signals.publish(StandardSignals.DRIFT_DETECTED, detected ? 1.0 : 0.0);
    }

    /** One batch: the supervisor looks at what was set for it, then the batch index advances. */
    public void step(ExpertSupervisor supervisor) {
        supervisor.supervise(this);
        batch++;
    }

    /** Clears the records of calls (counts, replays, penalties), not the state: what follows is one batch's calls. */
    public void clearCalls() {
        for (Supervised e : experts.values()) {
            e.scaleCalls = 0;
            e.importanceAsked = 0;
            e.weightsAsked = 0;
            e.replays.clear();
            e.penalties.clear();
        }
    }

    /** An expert state with one array {@code w} of the given values and 10 samples. */
    public static ExpertState state(String expert, double... w) {
        return new ExpertState(expert, Map.of("w", w), 10);
    }

    /** Everything the supervisor set or asked, and the board, exactly. */
    public String fingerprint() {
        StringBuilder s = new StringBuilder("batch ").append(batch).append(" signals ")
                .append(PluginTestKit.fingerprint(signals.snapshot()));
        experts.values().forEach(e -> s.append('\n').append(e.fingerprint()));
        return s.toString();
    }

    private Supervised expert(String name) {
        Supervised e = experts.get(name);
        if (e == null) {
            throw new IllegalArgumentException("no supervised expert '" + name + "'");
        }
        return e;
    }

    @Override
    public List<String> experts() {
        return List.copyOf(experts.keySet());
    }

    @Override
    public long batchIndex() {
        return batch;
    }

    @Override
    public boolean active(String expert) {
        return expert(expert).active;
    }

    @Override
    public double loss(String expert) {
        Supervised e = expert(expert);
        return e.active ? e.loss : Double.NaN;
    }

    @Override
    public double learningRate(String expert) {
        Supervised e = expert(expert);
        return e.rate * e.scale;
    }

    @Override
    public boolean scaleLearningRate(String expert, double scale) {
        if (!(scale > 0) || Double.isInfinite(scale)) {
            throw new IllegalArgumentException("learning-rate scale must be finite and > 0, got " + scale);
        }
        Supervised e = expert(expert);
        e.scaleCalls++;
        if (e.takesScales) {
            e.scale = scale;
        }
        return e.takesScales;
    }

    @Override
    public void freeze(String expert, boolean frozen) {
        expert(expert).frozen = frozen;
    }

    @Override
    public boolean frozen(String expert) {
        return expert(expert).frozen;
    }

    @Override
    public Optional<ExpertState> importance(String expert) {
        Supervised e = expert(expert);
        e.importanceAsked++;
        return e.importance == null ? Optional.empty() : Optional.of(e.importance.apply(batch));
    }

    @Override
    public Optional<ExpertState> weights(String expert) {
        Supervised e = expert(expert);
        e.weightsAsked++;
        return e.weights == null ? Optional.empty() : Optional.of(e.weights.apply(batch));
    }

    @Override
    public boolean penalise(String expert, ExpertState anchor, ExpertState importance, double strength) {
        Supervised e = expert(expert);
        if (!(strength >= 0) || Double.isInfinite(strength)) {
            throw new IllegalArgumentException("EWC strength must be finite and >= 0, got " + strength);
        }
        Penalty p = new Penalty(batch, anchor, importance, strength);
        e.penalties.add(p);
        if (e.appliesPenalties && e.onPenalty != null) {
            e.onPenalty.accept(p);
        }
        return e.appliesPenalties;
    }

    @Override
    public int replay(String expert, int rows) {
        Supervised e = expert(expert);
        if (rows <= 0 || e.frozen) {
            return 0;
        }
        int n = Math.min(rows, memoryRows);
        e.replays.add(n);
        return n;
    }

    @Override
    public SignalBoard signals() {
        return signals;
    }

    @Override
    public void saveState(StateWriter out) throws IOException {
        out.writeVersion(1);
        out.writeLong(batch);
        out.writeDoubleMap(signals.snapshot());
        out.writeInt(experts.size());
        for (Supervised e : experts.values()) {
            out.writeString(e.name);
            out.writeDouble(e.scale);
            out.writeBoolean(e.frozen);
        }
    }

    @Override
    public void restoreState(StateReader in) throws IOException {
        in.readVersion("fake supervised client", 1);
        long index = in.readLong();
        Map<String, Double> board = in.readDoubleMap();
        int n = in.readInt();
        if (n != experts.size()) {
            throw new IOException("a client of " + n + " experts, this one has " + experts.size());
        }
        List<Object[]> read = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            read.add(new Object[] {in.readString(), in.readDouble(), in.readBoolean()});
        }
        for (Object[] r : read) {
            if (!experts.containsKey((String) r[0])) {
                throw new IOException("no expert " + r[0] + " in this client");
            }
        }
        batch = index;
        board.forEach(signals::publish);
        for (Object[] r : read) {
            Supervised e = experts.get((String) r[0]);
            e.scale = (Double) r[1];
            e.frozen = (Boolean) r[2];
        }
    }

    /**
     * A supervisor and the client it supervises, checkpointed together as a resumed run has them: the
     * supervisor's state, then the client's. The supervisor must be {@link Checkpointable}; its format
     * version is the checkpoint's first int, so {@link PluginTestKit#assertUnknownVersionRefused} applies.
     */
    public record Supervision(Expert supervisor, FakeSupervisedClient client) implements Checkpointable {
        public Supervision {
            Objects.requireNonNull(supervisor, "supervisor is null");
            Objects.requireNonNull(client, "client is null");
        }

        /** The supervisor as the {@link ExpertSupervisor} it must be. */
        public ExpertSupervisor supervising() {
            return (ExpertSupervisor) supervisor;
        }

        @Override
        public void saveState(StateWriter out) throws IOException {
            ((Checkpointable) supervisor).saveState(out);
            client.saveState(out);
        }

        @Override
        public void restoreState(StateReader in) throws IOException {
            ((Checkpointable) supervisor).restoreState(in);
            client.restoreState(in);
        }
    }
}
