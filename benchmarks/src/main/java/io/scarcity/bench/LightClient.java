package io.scarcity.bench;

import io.scarcity.api.Batch;
import io.scarcity.api.DataSchema;
import io.scarcity.api.PluginConfig;
import io.scarcity.runtime.config.ConfigLoader;
import io.scarcity.runtime.config.LoadedConfig;
import io.scarcity.runtime.data.Row;
import io.scarcity.runtime.data.RowSource;
import io.scarcity.runtime.data.StreamFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The "light" client configuration the performance targets refer to, and SEA batches to feed it. */
final class LightClient {
    static final String YAML = """
            name: light
            seed: 1
            rounds: %d
            threads: 1
            batchSize: 100
            batchesPerRound: 10
            output: {progress: off}
            domains:
              - name: sea
                clients: %d
                stream: {type: sea, noise: 0.1}
            experts:
              - plugin: statistical
            router: {plugin: ucb}
            memory: {plugin: hierarchical}
            metaLearner: {plugin: insight}
            gossip: {plugin: random-pairs}
            """;

    private LightClient() {
    }

    static LoadedConfig config(int clients, int rounds) {
        return config(clients, rounds, List.of());
    }

    /** The same with {@code path.to.key=value} overrides. */
    static LoadedConfig config(int clients, int rounds, List<String> sets) {
        return ConfigLoader.parse(YAML.formatted(rounds, clients), "light", Path.of("."), Map.of(), sets);
    }

    static RowSource sea(long seed) {
        return StreamFactory.create(PluginConfig.of("bench", Map.of("type", "sea", "noise", 0.1)), seed, Path.of("."));
    }

    /** {@code count} SEA batches of {@code size} rows. */
    static List<Batch> batches(int count, int size, long seed) {
        RowSource src = sea(seed);
        DataSchema schema = src.schema();
        List<Batch> out = new ArrayList<>(count);
        long first = 0;
        for (int b = 0; b < count; b++) {
            double[] x = new double[size * schema.numFeatures()];
            int[] y = new int[size];
            for (int r = 0; r < size; r++) {
                Row row = src.next().orElseThrow();
                System.arraycopy(row.features(), 0, x, r * schema.numFeatures(), schema.numFeatures());
                y[r] = row.label();
            }
            out.add(Batch.ofClasses(schema, "sea", first, x, y));
            first += size;
        }
        return out;
    }
}
