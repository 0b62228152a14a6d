package io.scarcity.runtime.engine;

/**
 * Hooks for tests that must interrupt a real run at an exact point, e.g. kill the process in the middle
 * of a round. Driven by environment variables with the reserved prefix {@code SCARCITY_TEST_}, which
 * the config loader never reads; without them nothing happens.
 */
final class TestHooks {
    /** The round in whose middle (after the coordinator stored its insights, before any output) the run halts. */
    static final String HALT_IN_ROUND = "SCARCITY_TEST_HALT_IN_ROUND";
    private static final int HALT = parse(System.getenv(HALT_IN_ROUND));

    private TestHooks() {
    }

    private static int parse(String v) {
        try {
            return v == null ? -1 : Integer.parseInt(v.trim());
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** Halts this thread for good (until the process is killed) in the round the environment names. */
    static void haltIfAsked(int round) {
        if (round != HALT) {
            return;
        }
        System.err.println("scarcity: halted in round " + round + " (" + HALT_IN_ROUND + ")");
        System.err.flush();
        long until = System.nanoTime() + 600_000_000_000L;
        while (System.nanoTime() < until) {
            try {
                Thread.sleep(1_000);
            } catch (InterruptedException e) {
                // only a kill ends this
            }
        }
        // nobody killed it: end as a crash would, without any clean-up
        Runtime.getRuntime().halt(137);
    }
}
