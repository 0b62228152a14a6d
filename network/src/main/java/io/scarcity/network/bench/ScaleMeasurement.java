package io.scarcity.network.bench;

import com.sun.management.GarbageCollectionNotificationInfo;
import io.scarcity.runtime.engine.InProcessEngine;
import io.scarcity.runtime.engine.RunResult;
import io.scarcity.runtime.report.HeapPeak;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import javax.management.ListenerNotFoundException;
import javax.management.Notification;
import javax.management.NotificationEmitter;
import javax.management.NotificationListener;
import javax.management.openmbean.CompositeData;

/**
 * What one run of {@link FederationScale} measured in a child JVM, and the one line it travels in to the
 * parent: {@code FEDERATION-SCALE-RESULT key=value ...}.
 *
 * @param rows rows the clients learned from (the run's total)
 * @param correct rows predicted correctly (prequential), to check that two runs computed the same thing
 * @param setupNanos building the engine: the clients in process, or waiting until the hosts took them all
 * @param roundNanos each round's wall time, from the start of the run (round 1 includes the cold-start
 *        welcome) to each {@code roundCompleted}
 * @param cpuNanos CPU time of the whole JVM (all threads, GC and JIT included) over the rounds
 * @param gcMillis time the JVM's collectors reported over the rounds (G1: mostly pauses)
 * @param peakHeap the sum of the heap pools' peaks over the rounds (the figure {@code ClientScale} prints)
 * @param maxAfterGc the most heap in use right after any collection during the rounds: an upper bound of
 *        the live data, less dependent on {@code -Xmx} than the peak
 * @param liveHeap heap in use after a full collection once the rounds are over, the engine (its clients or
 *        the coordinator's handles of them) still open: what the run keeps
 * @param wireSent bytes the coordinator's TCP sockets had acknowledged by the hosts over the rounds (TLS
 *        records, so the encrypted size), -1 if not measured
 * @param wireReceived bytes its sockets received from the hosts over the rounds, -1 if not measured
 */
record ScaleMeasurement(long rows, long correct, long setupNanos, long[] roundNanos, long cpuNanos, long gcMillis,
                        long peakHeap, long maxAfterGc, long liveHeap, long wireSent, long wireReceived) {
    static final String PREFIX = "FEDERATION-SCALE-RESULT";

    long runNanos() {
        return Arrays.stream(roundNanos).sum();
    }

    double rowsPerSecond() {
        return rows / (runNanos() / 1e9);
    }

    double meanRoundMillis() {
        return runNanos() / 1e6 / roundNanos.length;
    }

    /** The nearest-rank 95th percentile of the round times (with few rounds, the slowest). */
    double p95RoundMillis() {
        long[] sorted = roundNanos.clone();
        Arrays.sort(sorted);
        int rank = (int) Math.ceil(0.95 * sorted.length);
        return sorted[Math.max(0, rank - 1)] / 1e6;
    }

    boolean wireMeasured() {
        return wireSent >= 0 && wireReceived >= 0;
    }

    String line() {
        return PREFIX + " rows=" + rows + " correct=" + correct + " setupNanos=" + setupNanos + " roundNanos="
                + Arrays.stream(roundNanos).mapToObj(Long::toString).collect(Collectors.joining(",")) + " cpuNanos=" + cpuNanos + " gcMillis=" + gcMillis + " peakHeap=" + peakHeap
                + " maxAfterGc=" + maxAfterGc + " liveHeap=" + liveHeap + " wireSent=" + wireSent + " wireReceived=" + wireReceived;
    }

    /** The measurement in a child's stdout, {@code null} if it printed none. */
    static ScaleMeasurement find(List<String> stdout) {
        for (String l : stdout) {
            if (l.startsWith(PREFIX + " ")) {
                return parse(l);
            }
        }
        return null;
    }

    static ScaleMeasurement parse(String line) {
        Map<String, String> kv = new LinkedHashMap<>();
        for (String part : line.substring(PREFIX.length()).trim().split(" ")) {
            int eq = part.indexOf('=');
            kv.put(part.substring(0, eq), part.substring(eq + 1));
        }
        long[] rounds = Arrays.stream(kv.get("roundNanos").split(",")).filter(s -> !s.isEmpty()).mapToLong(Long::parseLong).toArray();
        return new ScaleMeasurement(num(kv, "rows"), num(kv, "correct"), num(kv, "setupNanos"), rounds, num(kv, "cpuNanos"), num(kv, "gcMillis"), num(kv, "peakHeap"),
                num(kv, "maxAfterGc"), num(kv, "liveHeap"), num(kv, "wireSent"), num(kv, "wireReceived"));
    }

    private static long num(Map<String, String> kv, String key) {
        String v = kv.get(key);
        if (v == null) {
            throw new IllegalArgumentException("the child's result line has no " + key);
        }
        return Long.parseLong(v);
    }

    /**
     * Runs {@code engine}, timing each round and watching the heap from the start of the run; {@code wire}
     * reads the coordinator's transport byte counters ({@code [sent, received]}, or {@code null}) before
     * and after the rounds.
     */
    static ScaleMeasurement measure(InProcessEngine engine, long setupNanos, java.util.function.Supplier<long[]> wire) {
        List<Long> ends = new ArrayList<>();
        long[] wireBefore = wire.get();
        try (HeapWatch heap = new HeapWatch()) {
            HeapPeak.reset();
            long cpu = processCpuNanos();
            long gc = collectorMillis();
            long start = System.nanoTime();
            RunResult r = engine.run((round, total, results, extras) -> ends.add(System.nanoTime()));
            long peak = HeapPeak.bytes();
            cpu = processCpuNanos() - cpu;
            gc = collectorMillis() - gc;
            long[] wireAfter = wire.get();
            long maxAfterGc = heap.maxAfterGc();
            System.gc();
            long live = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
            long[] rounds = new long[ends.size()];
            long previous = start;
            for (int i = 0; i < rounds.length; i++) {
                rounds[i] = ends.get(i) - previous;
                previous = ends.get(i);
            }
            boolean wired = wireBefore != null && wireAfter != null;
            return new ScaleMeasurement(r.rows(), r.correct(), setupNanos, rounds, cpu, gc, peak, maxAfterGc, live,
                    wired ? wireAfter[0] - wireBefore[0] : -1, wired ? wireAfter[1] - wireBefore[1] : -1);
        }
    }

    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }

    private static long collectorMillis() {
        return ManagementFactory.getGarbageCollectorMXBeans().stream().mapToLong(g -> Math.max(0, g.getCollectionTime())).sum();
    }

    /** The most heap in use just after any garbage collection while it listens (GC notifications). */
    static final class HeapWatch implements NotificationListener, AutoCloseable {
        private final Set<String> heapPools = ManagementFactory.getMemoryPoolMXBeans().stream()
                .filter(p -> p.getType() == MemoryType.HEAP).map(MemoryPoolMXBean::getName).collect(Collectors.toSet());
        private final AtomicLong max = new AtomicLong();
        private final List<NotificationEmitter> emitters = new ArrayList<>();

        HeapWatch() {
            for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
                if (gc instanceof NotificationEmitter e) {
                    e.addNotificationListener(this, null, null);
                    emitters.add(e);
                }
            }
        }

        @Override
        public void handleNotification(Notification n, Object handback) {
            if (!GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION.equals(n.getType())) {
                return;
            }
            var info = GarbageCollectionNotificationInfo.from((CompositeData) n.getUserData());
            long used = 0;
            for (Map.Entry<String, MemoryUsage> e : info.getGcInfo().getMemoryUsageAfterGc().entrySet()) {
                if (heapPools.contains(e.getKey())) {
                    used += e.getValue().getUsed();
                }
            }
            max.accumulateAndGet(used, Math::max);
        }

        /** Bytes; 0 if no collection happened while listening. */
        long maxAfterGc() {
            return max.get();
        }

        @Override
        public void close() {
            for (NotificationEmitter e : emitters) {
                try {
                    e.removeNotificationListener(this);
                } catch (ListenerNotFoundException ignored) {
                    // not registered: nothing to remove
                }
            }
        }
    }
}
