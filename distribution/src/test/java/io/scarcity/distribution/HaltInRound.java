package io.scarcity.distribution;

import io.scarcity.runtime.client.ClientRoundResult;
import io.scarcity.runtime.engine.RunObserver;
import java.util.List;

/**
 * A run listener for {@link ResumeIT}: on the class path of the test's run process only (a service
 * registration in the test resources), it halts the run in the round {@code SCARCITY_TEST_HALT_IN_ROUND}
 * names, once the coordinator has committed that round's insights and before any output of the round,
 * and waits there to be killed. Without the variable it does nothing.
 */
public final class HaltInRound implements RunObserver {
    static final String VARIABLE = "SCARCITY_TEST_HALT_IN_ROUND";
    private final int round;

    public HaltInRound() {
        int r;
        try {
            String v = System.getenv(VARIABLE);
            r = v == null ? -1 : Integer.parseInt(v.trim());
        } catch (NumberFormatException e) {
            r = -1;
        }
        this.round = r;
    }

    @Override
    public void roundDecided(int decided) {
        if (decided != round) {
            return;
        }
        System.err.println("scarcity: halted in round " + decided + " (" + VARIABLE + ")");
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

    @Override
    public void roundCompleted(int completed, int totalRounds, List<ClientRoundResult> results, RoundExtras extras) {
    }
}
