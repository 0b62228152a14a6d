package io.scarcity.plugins.metaadaptation;

import io.scarcity.api.ExpertState;
import io.scarcity.api.InMemorySignalBoard;
import io.scarcity.api.MetricsSink;
import io.scarcity.api.SignalBoard;
import io.scarcity.api.SupervisedClient;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/** A client of fake experts whose activity and losses a test sets before each {@link #step}. */
final class FakeClient implements SupervisedClient {
    /** One supervised expert: what the supervisor sees and what it set. */
    static final class Fake {
        final boolean takesScales;
        boolean active = true;
        double loss = Double.NaN;
        double scale = 1;
        boolean frozen;
        int scaleCalls;

        Fake(boolean takesScales) {
            this.takesScales = takesScales;
        }
    }

    /** Records counters and gauges. */
    static final class Sink implements MetricsSink {
        final Map<String, Double> gauges = new TreeMap<>();
        final Map<String, Long> counts = new TreeMap<>();

        @Override
        public void gauge(String name, double value) {
            gauges.put(name, value);
        }

        @Override
        public void count(String name, long delta) {
            counts.merge(name, delta, Long::sum);
        }

        long count(String name) {
            return counts.getOrDefault(name, 0L);
        }
    }

    final Map<String, Fake> experts = new LinkedHashMap<>();
    final InMemorySignalBoard board = new InMemorySignalBoard();
    long batches;

    FakeClient add(String name, boolean takesScales) {
        experts.put(name, new Fake(takesScales));
        return this;
    }

    Fake get(String name) {
        return experts.get(name);
    }

    /** One batch: the supervisor looks at the losses set so far, then the batch index advances. */
    void step(MetaAdaptationExpert supervisor) {
        supervisor.supervise(this);
        batches++;
    }

    /** A copy of the experts' state (scales, frozen flags), as a restored client would have. */
    FakeClient copy() {
        FakeClient c = new FakeClient();
        for (Map.Entry<String, Fake> e : experts.entrySet()) {
            Fake f = new Fake(e.getValue().takesScales);
            f.scale = e.getValue().scale;
            f.frozen = e.getValue().frozen;
            c.experts.put(e.getKey(), f);
        }
        c.batches = batches;
        return c;
    }

    private Fake slot(String expert) {
        Fake f = experts.get(expert);
        if (f == null) {
            throw new IllegalArgumentException("no supervised expert '" + expert + "'");
        }
        return f;
    }

    @Override
    public List<String> experts() {
        return new ArrayList<>(experts.keySet());
    }

    @Override
    public long batchIndex() {
        return batches;
    }

    @Override
    public boolean active(String expert) {
        return slot(expert).active;
    }

    @Override
    public double loss(String expert) {
        Fake f = slot(expert);
        return f.active ? f.loss : Double.NaN;
    }

    @Override
    public double learningRate(String expert) {
        return 0.1 * slot(expert).scale;
    }

    @Override
    public boolean scaleLearningRate(String expert, double scale) {
        if (!(scale > 0) || Double.isInfinite(scale)) {
            throw new IllegalArgumentException("learning-rate scale must be finite and > 0, got " + scale);
        }
        Fake f = slot(expert);
        f.scaleCalls++;
        if (f.takesScales) {
            f.scale = scale;
        }
        return f.takesScales;
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
    public Optional<ExpertState> importance(String expert) {
        slot(expert);
        return Optional.empty();
    }

    @Override
    public Optional<ExpertState> weights(String expert) {
        slot(expert);
        return Optional.empty();
    }

    @Override
    public boolean penalise(String expert, ExpertState anchor, ExpertState importance, double strength) {
        slot(expert);
        return false;
    }

    @Override
    public int replay(String expert, int rows) {
        slot(expert);
        return 0;
    }

    @Override
    public SignalBoard signals() {
        return board;
    }
}
