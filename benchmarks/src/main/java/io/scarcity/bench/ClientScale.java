package io.scarcity.bench;

import io.scarcity.runtime.config.LoadedConfig;
import io.scarcity.runtime.engine.InProcessEngine;
import io.scarcity.runtime.engine.RunResult;
import io.scarcity.runtime.plugin.PluginRegistry;
import io.scarcity.runtime.report.HeapPeak;
import java.lang.management.ManagementFactory;
import java.util.Locale;

/**
 * How many clients fit in one JVM: runs N light clients (statistical expert, UCB router, hierarchical
 * memory) for a few rounds on one thread and prints rows/s, heap retained per client after a full GC,
 * and the peak heap of the run. Run under the heap limit the target names:
 * <pre>java -Xmx4g -cp benchmarks/target/benchmarks.jar io.scarcity.bench.ClientScale 1000 5</pre>
 */
public final class ClientScale {
    private ClientScale() {
    }

    public static void main(String[] args) {
        int clients = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        System.gc();
        long before = usedHeap();
        LoadedConfig config = LightClient.config(clients, rounds);
        try (PluginRegistry registry = PluginRegistry.load(null, ClientScale.class.getClassLoader());
             InProcessEngine engine = new InProcessEngine(config, registry)) {
            HeapPeak.reset();
            RunResult r = engine.run((round, total, results, extras) -> { });
            double seconds = r.elapsedNanos() / 1e9;
            System.gc();
            long after = usedHeap();
            long peak = HeapPeak.bytes();
            System.out.printf(Locale.ROOT, "%-28s %s%n", "clients", clients);
            System.out.printf(Locale.ROOT, "%-28s %d x %d rows%n", "rounds x rows per client", rounds, 1000);
            System.out.printf(Locale.ROOT, "%-28s %,d%n", "rows", r.rows());
            System.out.printf(Locale.ROOT, "%-28s %.4f%n", "prequential accuracy", (double) r.correct() / r.rows());
            System.out.printf(Locale.ROOT, "%-28s %,.0f%n", "rows/s (1 thread, all)", r.rows() / seconds);
            System.out.printf(Locale.ROOT, "%-28s %,.1f KiB%n", "heap retained per client", (after - before) / 1024.0 / clients);
            System.out.printf(Locale.ROOT, "%-28s %,.1f MiB (max %,.0f MiB)%n", "peak heap", peak / 1048576.0,
                    Runtime.getRuntime().maxMemory() / 1048576.0);
        }
    }

    private static long usedHeap() {
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }
}
