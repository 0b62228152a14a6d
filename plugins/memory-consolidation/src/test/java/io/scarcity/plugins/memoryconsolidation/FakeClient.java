package io.scarcity.plugins.memoryconsolidation;

import io.scarcity.api.ExpertState;
import io.scarcity.api.InMemorySignalBoard;
import io.scarcity.api.SignalBoard;
import io.scarcity.api.StandardSignals;
import io.scarcity.api.SupervisedClient;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.LongFunction;

/**
 * A client of scripted experts that records what a supervisor asks of them. Like the runtime's, it
 * refuses unknown names, replays nothing into frozen experts and at most {@code memoryRows} rows.
 */
final class FakeClient implements SupervisedClient {
    /** One supervised expert: its state is a function of the batch index; it records the calls it gets. */
    static final class Learner {
        final String name;
        boolean active = true;
        boolean frozen;
        boolean applies = true;
        /** Importance at a batch index, or null if the expert estimates none. */
        LongFunction<ExpertState> importance;
        /** Weights at a batch index, or null if the expert is not gossipable. */
        LongFunction<ExpertState> weights;
        final List<Integer> replays = new ArrayList<>();
        final List<Penalty> penalties = new ArrayList<>();
        int importanceAsked;
        int weightsAsked;
        /** Called with every penalty the expert applies, if set. */
        java.util.function.Consumer<Penalty> onPenalty;

        Learner(String name) {
            this.name = name;
        }
    }

    record Penalty(long batch, ExpertState anchor, ExpertState importance, double strength) {
    }

    final Map<String, Learner> learners = new LinkedHashMap<>();
    final SignalBoard signals = new InMemorySignalBoard();
    long batch;
    int memoryRows = Integer.MAX_VALUE;

    FakeClient(Learner... experts) {
        for (Learner l : experts) {
            learners.put(l.name, l);
        }
    }

    private Learner learner(String name) {
        Learner l = learners.get(name);
        if (l == null) {
            throw new IllegalArgumentException("no supervised expert '" + name + "'");
        }
        return l;
    }

    /** Publishes the drift signal of this batch, as the drift expert does on every batch. */
    void drift(boolean detected) {
        signals.publish(StandardSignals.DRIFT_DETECTED, detected ? 1.0 : 0.0);
    }

    @Override
    public List<String> experts() {
        return List.copyOf(learners.keySet());
    }

    @Override
    public long batchIndex() {
        return batch;
    }

    @Override
    public boolean active(String expert) {
        return learner(expert).active;
    }

    @Override
    public double loss(String expert) {
        return learner(expert).active ? 0.25 : Double.NaN;
    }

    @Override
    public double learningRate(String expert) {
        learner(expert);
        return Double.NaN;
    }

    @Override
    public boolean scaleLearningRate(String expert, double scale) {
        learner(expert);
        return false;
    }

    @Override
    public void freeze(String expert, boolean frozen) {
        learner(expert).frozen = frozen;
    }

    @Override
    public boolean frozen(String expert) {
        return learner(expert).frozen;
    }

    @Override
    public Optional<ExpertState> importance(String expert) {
        Learner l = learner(expert);
        l.importanceAsked++;
        return l.importance == null ? Optional.empty() : Optional.of(l.importance.apply(batch));
    }

    @Override
    public Optional<ExpertState> weights(String expert) {
        Learner l = learner(expert);
        l.weightsAsked++;
        return l.weights == null ? Optional.empty() : Optional.of(l.weights.apply(batch));
    }

    @Override
    public boolean penalise(String expert, ExpertState anchor, ExpertState importance, double strength) {
        Learner l = learner(expert);
        if (!(strength >= 0) || Double.isInfinite(strength)) {
            throw new IllegalArgumentException("EWC strength must be finite and >= 0, got " + strength);
        }
        Penalty p = new Penalty(batch, anchor, importance, strength);
        l.penalties.add(p);
        if (l.applies && l.onPenalty != null) {
            l.onPenalty.accept(p);
        }
        return l.applies;
    }

    @Override
    public int replay(String expert, int rows) {
        Learner l = learner(expert);
        if (rows <= 0 || l.frozen) {
            return 0;
        }
        int n = Math.min(rows, memoryRows);
        l.replays.add(n);
        return n;
    }

    @Override
    public SignalBoard signals() {
        return signals;
    }

    /** One array "w" of the given values. */
    static ExpertState state(String expert, double... w) {
        return new ExpertState(expert, Map.of("w", w), 10);
    }
}
