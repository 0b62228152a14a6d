package io.scarcity.runtime.client;

import io.scarcity.api.Batch;
import io.scarcity.api.Memory;
import io.scarcity.api.SignalBoard;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.LongSupplier;

/**
 * What {@link io.scarcity.api.ExpertSupervisor}s (e.g. meta-adaptation, memory consolidation) see of a
 * client after each batch: one per client, its answers always current. The supervisors themselves are
 * not among the experts they supervise.
 */
final class SupervisedView implements io.scarcity.api.SupervisedClient {
    private final List<String> names;
    private final Map<String, ExpertSlot> byName;
    private final Memory memory;
    private final SignalBoard signals;
    private final LongSupplier batchIndex;

    SupervisedView(Map<String, ExpertSlot> byName, List<String> candidates, Memory memory, SignalBoard signals,
                   LongSupplier batchIndex) {
        this.byName = byName;
        this.memory = memory;
        this.signals = signals;
        this.batchIndex = batchIndex;
        List<String> n = new ArrayList<>();
        for (String c : candidates) {
            if (!(byName.get(c).expert() instanceof io.scarcity.api.ExpertSupervisor)) {
                n.add(c);
            }
        }
        names = List.copyOf(n);
    }

    private ExpertSlot slot(String expert) {
        ExpertSlot s = expert == null ? null : byName.get(expert);
        if (s == null || !names.contains(expert)) {
            throw new IllegalArgumentException("no supervised expert '" + expert + "'; the client's are " + names);
        }
        return s;
    }

    @Override
    public List<String> experts() {
        return names;
    }

    @Override
    public long batchIndex() {
        return batchIndex.getAsLong();
    }

    @Override
    public boolean active(String expert) {
        return slot(expert).lastActive;
    }

    @Override
    public double loss(String expert) {
        return slot(expert).lastLoss;
    }

    @Override
    public double learningRate(String expert) {
        return slot(expert).expert().learningRate();
    }

    @Override
    public boolean scaleLearningRate(String expert, double scale) {
        if (!(scale > 0) || Double.isInfinite(scale)) {
            throw new IllegalArgumentException("learning-rate scale must be finite and > 0, got " + scale);
        }
        return slot(expert).expert().scaleLearningRate(scale);
    }

    @Override
    public void freeze(String expert, boolean frozen) {
        slot(expert).frozen = frozen;
    }

    @Override
    public boolean frozen(String expert) {
        return slot(expert).frozen;
    }

    @Override
    public Optional<io.scarcity.api.ExpertState> importance(String expert) {
        return slot(expert).expert().importance();
    }

    @Override
    public Optional<io.scarcity.api.ExpertState> weights(String expert) {
        ExpertSlot s = slot(expert);
        return s.capabilities().gossipable() ? Optional.of(s.expert().exportState()) : Optional.empty();
    }

    @Override
    public boolean penalise(String expert, io.scarcity.api.ExpertState anchor, io.scarcity.api.ExpertState importance,
                            double strength) {
        Objects.requireNonNull(anchor, "anchor is null");
        Objects.requireNonNull(importance, "importance is null");
        if (!(strength >= 0) || Double.isInfinite(strength)) {
            throw new IllegalArgumentException("EWC strength must be finite and >= 0, got " + strength);
        }
        return slot(expert).expert().penalise(anchor, importance, strength);
    }

    @Override
    public int replay(String expert, int rows) {
        ExpertSlot s = slot(expert);
        if (rows <= 0 || s.frozen) {
            return 0;
        }
        Optional<Batch> replay = memory.replay(rows);
        if (replay.isEmpty()) {
            return 0;
        }
        s.expert().replay(replay.get());
        s.worked = true;
        return replay.get().rows();
    }

    @Override
    public SignalBoard signals() {
        return signals;
    }
}
