package io.scarcity.plugins.governance;

import io.scarcity.api.Batch;
import io.scarcity.api.DataSchema;
import io.scarcity.api.MetricsSink;
import io.scarcity.api.PluginConfig;
import io.scarcity.api.PluginContext;
import io.scarcity.api.Task;
import io.scarcity.api.testing.PluginTestKit;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** A schema, batches, a context that records metrics and log lines, and expert construction for the tests. */
final class Fixtures {
    /** Features a, b, c, d; classes ok, warn, bad. */
    static final DataSchema SCHEMA = new DataSchema(List.of("a", "b", "c", "d"), Task.CLASSIFICATION, List.of("ok", "warn", "bad"));

    private Fixtures() {
    }

    /** A classification batch from rows of 4 values; labels may be {@code null}. */
    static Batch batch(long firstRow, int[] labels, double[]... rows) {
        double[] x = new double[rows.length * 4];
        for (int r = 0; r < rows.length; r++) {
            System.arraycopy(rows[r], 0, x, 4 * r, 4);
        }
        return Batch.ofClasses(SCHEMA, "d", firstRow, x, labels);
    }

    static double[] row(double a, double b, double c, double d) {
        return new double[] {a, b, c, d};
    }

    static final class TestContext implements PluginContext {
        final PluginTestKit.RecordingMetrics metrics = new PluginTestKit.RecordingMetrics();
        final PluginTestKit.RecordingLogger logger = new PluginTestKit.RecordingLogger();
        final DataSchema schema;
        final Path configDir;

        TestContext(DataSchema schema, Path configDir) {
            this.schema = schema;
            this.configDir = configDir;
        }

        @Override
        public Optional<DataSchema> schema() {
            return Optional.ofNullable(schema);
        }

        @Override
        public MetricsSink metrics() {
            return metrics;
        }

        @Override
        public System.Logger logger() {
            return logger;
        }

        @Override
        public Path configDir() {
            return configDir;
        }

        @Override
        public Optional<String> clientId() {
            return Optional.of("d-0");
        }

        @Override
        public String instanceName() {
            return "governance";
        }
    }

    static TestContext context() {
        return new TestContext(SCHEMA, Path.of("."));
    }

    static GovernanceExpert expert(TestContext context, Map<String, ?> config) {
        return (GovernanceExpert) new GovernanceExpertFactory().create(PluginConfig.of("experts[1].config", config), context);
    }

    /** {@code n} rows of zeros, of which those whose index is in {@code bad} have a = -1. */
    static Batch zeros(long firstRow, int n, int... bad) {
        double[][] rows = new double[n][];
        for (int r = 0; r < n; r++) {
            rows[r] = row(0, 0, 0, 0);
        }
        for (int r : bad) {
            rows[r][0] = -1;
        }
        return batch(firstRow, null, rows);
    }
}
