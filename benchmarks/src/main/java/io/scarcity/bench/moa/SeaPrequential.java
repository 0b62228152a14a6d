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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.ServiceLoader;

/**
 * One expert, test-then-train in batches of 100 on SEA (10% label noise), single-threaded: prints the
 * prequential accuracy and rows/s (including data generation), for comparison with MOA's own figures.
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar io.scarcity.bench.moa.SeaPrequential EXPERT ROWS [DRIFT_ROW] [key=value]...
 * java -cp benchmarks/target/benchmarks.jar io.scarcity.bench.moa.SeaPrequential moa-ht 1000000
 * java -cp benchmarks/target/benchmarks.jar io.scarcity.bench.moa.SeaPrequential moa-arf 20000 10000 ensembleSize=100
 * </pre>
 * {@code DRIFT_ROW} > 0 changes to concept 3 abruptly at that row; whole-number option values are passed
 * as numbers, others as text.
 */
public final class SeaPrequential {
    private static final int BATCH = 100;

    private SeaPrequential() {
    }

    public static void main(String[] args) {
        if (args.length < 2) {
            System.err.println("usage: SeaPrequential EXPERT ROWS [DRIFT_ROW] [key=value]...");
            System.exit(2);
        }
        String name = args[0];
        long rows = Long.parseLong(args[1]) / BATCH * BATCH;
        boolean hasDrift = args.length > 2 && !args[2].contains("=");
        long drift = hasDrift ? Long.parseLong(args[2]) : 0;
        Map<String, Object> config = new LinkedHashMap<>();
        for (int i = hasDrift ? 3 : 2; i < args.length; i++) {
            String[] kv = args[i].split("=", 2);
            config.put(kv[0], kv[1].matches("-?\\d+") ? (Object) Integer.valueOf(kv[1]) : kv[1]);
        }
        ExpertFactory factory = ServiceLoader.load(ExpertFactory.class).stream().map(ServiceLoader.Provider::get)
                .filter(f -> f.name().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no expert named " + name));
        Map<String, Object> stream = new LinkedHashMap<>(Map.of("type", "sea", "noise", 0.1));
        if (drift > 0) {
            stream.put("drifts", List.of(Map.of("at", drift, "concept", 3)));
        }
        RowSource source = StreamFactory.create(PluginConfig.of("stream", stream), 1, Path.of("."));
        DataSchema schema = source.schema();
        Expert expert = factory.create(PluginConfig.of("expert", config), PluginContext.standalone(1, schema, name));
        SignalBoard signals = new InMemorySignalBoard();
        int d = schema.numFeatures();
        double[] x = new double[BATCH * d];
        int[] y = new int[BATCH];
        long correct = 0;
        long start = System.nanoTime();
        for (long first = 0; first < rows; first += BATCH) {
            for (int r = 0; r < BATCH; r++) {
                Row row = source.next().orElseThrow();
                System.arraycopy(row.features(), 0, x, r * d, d);
                y[r] = row.label();
            }
            Batch batch = Batch.ofClasses(schema, "sea", first, x, y);
            Prediction p = expert.predict(batch, signals);
            for (int r = 0; r < BATCH; r++) {
                correct += p.predictedClass(r) == y[r] ? 1 : 0;
            }
            expert.learn(batch, new BatchOutcome(p, new double[BATCH], 1), signals);
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        System.out.printf(Locale.ROOT, "%s %s on SEA%s: %,d rows, prequential accuracy %.4f, %,.0f rows/s%n", name, config,
                drift > 0 ? " (concept 0 -> 3 at row " + drift + ")" : "", rows, (double) correct / rows, rows / seconds);
    }
}
