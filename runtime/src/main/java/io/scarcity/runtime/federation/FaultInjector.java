package io.scarcity.runtime.federation;

import java.util.Random;

/**
 * Simulated client outages for the in-process engine: at the start of each round every online client
 * goes offline with probability {@code offlineRate} for {@code offlineRounds} rounds. An offline client
 * neither learns nor reports; the rows that reach it meanwhile are lost (counted). Seeded, so a run is
 * reproducible.
 */
public final class FaultInjector implements io.scarcity.api.Checkpointable {
    private final double offlineRate;
    private final int offlineRounds;
    private Random random;
    private final int[] offlineUntil;

    public FaultInjector(int clients, double offlineRate, int offlineRounds, long seed) {
        this.offlineRate = offlineRate;
        this.offlineRounds = offlineRounds;
        this.random = new Random(seed);
        this.offlineUntil = new int[clients];
    }

    @Override
    public void saveState(io.scarcity.api.StateWriter out) throws java.io.IOException {
        out.writeRandom(random);
        out.writeInts(offlineUntil);
    }

    @Override
    public void restoreState(io.scarcity.api.StateReader in) throws java.io.IOException {
        random = in.readRandom();
        int[] until = in.readInts();
        if (until == null || until.length != offlineUntil.length) {
            throw new java.io.IOException("outages of " + (until == null ? 0 : until.length) + " clients saved, the run has "
                    + offlineUntil.length);
        }
        System.arraycopy(until, 0, offlineUntil, 0, until.length);
    }

    /** Decides the round's outages (call once per round, clients in order); returns which are offline. */
    public boolean[] offline(int round) {
        boolean[] out = new boolean[offlineUntil.length];
        for (int c = 0; c < out.length; c++) {
            // Draw for every client every round, so one client's outage never shifts another's.
            boolean fails = random.nextDouble() < offlineRate;
            if (offlineUntil[c] < round && fails) {
                offlineUntil[c] = round + offlineRounds - 1;
            }
            out[c] = offlineUntil[c] >= round;
        }
        return out;
    }
}
