package io.scarcity.bench.moa;

import io.scarcity.api.Batch;
import io.scarcity.api.BatchOutcome;
import io.scarcity.api.DataSchema;
import io.scarcity.api.Expert;
import io.scarcity.api.ExpertFactory;
import io.scarcity.api.InMemorySignalBoard;
import io.scarcity.api.PluginConfig;
import io.scarcity.api.PluginContext;
import io.scarcity.api.Prediction;
import io.scarcity.api.SignalBoard;
import io.scarcity.runtime.data.Row;
import io.scarcity.runtime.data.RowSource;
import io.scarcity.runtime.data.StreamFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** SEA batches from the runtime's generator and a prequential (test-then-train) loop, for the tests. */
final class Sea {
    static final DataSchema SCHEMA = source(Map.of(), 1).schema();

    private Sea() {
    }

    /** A SEA source with 10% label noise plus {@code extra} stream options. */
    static RowSource source(Map<String, ?> extra, long seed) {
        Map<String, Object> stream = new java.util.LinkedHashMap<>(Map.of("type", "sea", "noise", 0.1));
        stream.putAll(extra);
        return StreamFactory.create(PluginConfig.of("s", stream), seed, Path.of("."));
    }

    /** The next {@code count} batches of {@code size} labelled rows. */
    static List<Batch> batches(RowSource source, int count, int size) {
        DataSchema schema = source.schema();
        int d = schema.numFeatures();
        List<Batch> out = new ArrayList<>(count);
        for (int b = 0; b < count; b++) {
            double[] x = new double[size * d];
            int[] y = new int[size];
            long first = -1;
            for (int r = 0; r < size; r++) {
                Row row = source.next().orElseThrow();
                first = first < 0 ? row.index() : first;
                System.arraycopy(row.features(), 0, x, r * d, d);
                y[r] = row.label();
            }
            out.add(Batch.ofClasses(schema, "sea", first, x, y));
        }
        return out;
    }

    static Expert expert(ExpertFactory factory, Map<String, ?> config, long seed) {
        return factory.create(PluginConfig.of("experts[0].config", config), PluginContext.standalone(seed, SCHEMA, factory.name()));
    }

    /** Test-then-train over the batches; returns 1 for each correctly predicted row, 0 otherwise, in stream order. */
    static byte[] prequential(Expert expert, List<Batch> batches) {
        SignalBoard signals = new InMemorySignalBoard();
        int total = batches.stream().mapToInt(Batch::rows).sum();
        byte[] correct = new byte[total];
        int at = 0;
        for (Batch b : batches) {
            Prediction p = expert.predict(b, signals);
            double[] losses = new double[b.rows()];
            for (int r = 0; r < b.rows(); r++) {
                boolean ok = p.predictedClass(r) == b.label(r);
                correct[at++] = (byte) (ok ? 1 : 0);
                losses[r] = ok ? 0 : 1;
            }
            expert.learn(b, new BatchOutcome(p, losses, 1), signals);
        }
        return correct;
    }

    /** Accuracy over rows {@code from} (inclusive) to {@code to} (exclusive). */
    static double accuracy(byte[] correct, int from, int to) {
        int s = 0;
        for (int i = from; i < to; i++) {
            s += correct[i];
        }
        return (double) s / (to - from);
    }
}
