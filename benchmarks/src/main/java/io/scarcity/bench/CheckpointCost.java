package io.scarcity.bench;

import io.scarcity.api.Checkpointable;
import io.scarcity.api.StateReader;
import io.scarcity.api.StateWriter;
import io.scarcity.runtime.checkpoint.RunCheckpoints;
import io.scarcity.runtime.config.ConfigLoader;
import io.scarcity.runtime.config.LoadedConfig;
import io.scarcity.runtime.engine.InProcessEngine;
import io.scarcity.runtime.engine.RunResult;
import io.scarcity.runtime.plugin.PluginRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What checkpoints cost: N light clients (see {@link LightClient}) run R rounds on one thread without
 * checkpoints (the baseline) and with a checkpoint after every round, in the same JVM; then a fresh
 * engine restores the last checkpoint. Prints a table: wall time of both runs and their ratio, time
 * per checkpoint, checkpoint size per client, and the time to restore (which includes reading the
 * stream again up to the checkpoint).
 * <pre>java -cp benchmarks/target/benchmarks.jar io.scarcity.bench.CheckpointCost 1000 10</pre>
 */
public final class CheckpointCost {
    private CheckpointCost() {
    }

    /** The outputs a real run saves alongside; nothing here. */
    private static final Checkpointable NO_OUTPUTS = new Checkpointable() {
        @Override
        public void saveState(StateWriter out) {
        }

        @Override
        public void restoreState(StateReader in) {
        }
    };

    public static void main(String[] args) throws Exception {
        int clients = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 10;
        LoadedConfig config = ConfigLoader.parse(LightClient.YAML.formatted(rounds, clients), "light", Path.of("."), Map.of(),
                List.of("checkpoint.every=1", "coordinator.store.url=memory"));
        Path dir = Files.createTempDirectory("scarcity-checkpoint-cost");
        try (PluginRegistry registry = PluginRegistry.load(null, CheckpointCost.class.getClassLoader())) {
            // warm-up: JIT the whole pipeline once, checkpoints included
            run(config, registry, Files.createTempDirectory(dir, "warm"));
            double without = run(config, registry, null);
            Path with = Files.createTempDirectory(dir, "with");
            double withSeconds = run(config, registry, with);
            RunCheckpoints.Checkpoint last = RunCheckpoints.latest(with);
            long bytes = Files.size(last.folder().resolve("state.bin.gz"));
            long start = System.nanoTime();
            try (InProcessEngine engine = new InProcessEngine(config, registry)) {
                engine.restore(last, NO_OUTPUTS);
            }
            double restore = (System.nanoTime() - start) / 1e9;
            System.out.printf(Locale.ROOT, "%-36s %d clients x %d rounds (1,000 rows per client per round)%n", "run", clients, rounds);
            System.out.printf(Locale.ROOT, "%-36s %.2f s%n", "without checkpoints (baseline)", without);
            System.out.printf(Locale.ROOT, "%-36s %.2f s (ratio %.2f)%n", "with a checkpoint after every round", withSeconds,
                    withSeconds / without);
            System.out.printf(Locale.ROOT, "%-36s %.0f ms%n", "per checkpoint", (withSeconds - without) / rounds * 1000);
            System.out.printf(Locale.ROOT, "%-36s %,.1f KiB (%,.1f MiB in all, gzip)%n", "checkpoint size per client",
                    bytes / 1024.0 / clients, bytes / 1048576.0);
            System.out.printf(Locale.ROOT, "%-36s %.2f s (rebuild + re-read %d rounds of data + restore)%n", "resume", restore,
                    last.round());
        } finally {
            try (var files = Files.walk(dir)) {
                for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }

    private static double run(LoadedConfig config, PluginRegistry registry, Path checkpoints) {
        try (InProcessEngine engine = new InProcessEngine(config, registry)) {
            if (checkpoints != null) {
                engine.checkpointInto(new RunCheckpoints(checkpoints, 1, "bench", Path.of(".")), NO_OUTPUTS);
            }
            RunResult r = engine.run((round, total, results, extras) -> { });
            return r.elapsedNanos() / 1e9;
        }
    }
}
