package io.scarcity.runtime.engine;

import io.scarcity.runtime.UserException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.util.Locale;

/**
 * Refuses, before it runs out of memory, a simulation whose clients cannot fit in this JVM's heap: for a
 * domain with many clients it measures the heap the first {@link #SAMPLE} clients take (after a full
 * collection before and after) and extrapolates to all of them. Only domains with more than
 * {@link #THRESHOLD} clients are measured, so small runs pay nothing. The estimate covers what the
 * clients hold when built (models, buffers, empty memories); memories that fill up during the run add
 * to it, so the check leaves a quarter of the heap free.
 */
final class HeapBudget {
    static final int THRESHOLD = 256;
    static final int SAMPLE = 32;
    private final MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
    private final long max = Runtime.getRuntime().maxMemory();
    private long before;

    /** Whether a domain of {@code clients} is measured. */
    static boolean measures(int clients) {
        return clients > THRESHOLD;
    }

    /** Call before building a measured domain's clients. */
    void start() {
        before = settledUsed();
    }

    /**
     * Call after building the first {@link #SAMPLE} clients of a measured domain.
     *
     * @param clientsKey the config key of the domain's client count, for the message
     * @throws UserException if all the domain's clients would not fit
     */
    void check(int built, int total, String clientsKey) {
        long used = settledUsed();
        long each = Math.max(1, (used - before) / built);
        long needed = used + each * (long) (total - built);
        long allowed = (long) (max * 0.75);
        if (needed > allowed) {
            throw new UserException(String.format(Locale.ROOT, "%,d clients (%s) need about %s of memory when they are "
                    + "built (about %s each, measured on %d of them), more than this JVM can give them (at most %s of its %s "
                    + "heap, leaving room for what the run adds): use fewer clients, smaller per-client memories "
                    + "(memory.config), more heap (SCARCITY_JAVA_OPTS=-Xmx%dg), or run the clients on other machines",
                    total, clientsKey, bytes(needed), bytes(each), built, bytes(allowed), bytes(max),
                    Math.max(2, (long) Math.ceil(needed / 0.75 / (1L << 30)) + 1)));
        }
    }

    private long settledUsed() {
        System.gc();
        System.gc();
        return memory.getHeapMemoryUsage().getUsed();
    }

    static String bytes(long b) {
        if (b >= 1L << 30) {
            return String.format(Locale.ROOT, "%.1f GiB", b / (double) (1L << 30));
        }
        if (b >= 1L << 20) {
            return String.format(Locale.ROOT, "%.1f MiB", b / (double) (1L << 20));
        }
        return String.format(Locale.ROOT, "%.1f KiB", b / 1024.0);
    }
}
