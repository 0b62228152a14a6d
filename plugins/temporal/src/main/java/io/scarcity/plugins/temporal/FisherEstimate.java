package io.scarcity.plugins.temporal;

import io.scarcity.api.ExpertState;
import io.scarcity.api.StateReader;
import io.scarcity.api.StateWriter;
import java.io.IOException;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The temporal expert's diagonal Fisher estimate: per network parameter, the running mean of its squared
 * (unclipped) per-batch gradient, step {@code max(1 / n, }{@value #RATE}{@code )} for the {@code n}-th
 * batch (a plain mean over the first 100 batches, then about the last 100), skipping batches whose gradient
 * is not finite. Checkpointed as the estimates followed by the number of batches.
 */
final class FisherEstimate {
    /** Floor of the step of the running mean: a memory of about 100 batches. */
    static final double RATE = 0.01;

    private final double[] fisher;
    private long batches;

    FisherEstimate(int parameters) {
        this.fisher = new double[parameters];
    }

    /** Adds one batch's gradient (unless one of its values is not finite). */
    void accumulate(double[] gradient) {
        for (double g : gradient) {
            if (!Double.isFinite(g)) {
                return;
            }
        }
        batches++;
        double step = Math.max(1.0 / batches, RATE);
        for (int i = 0; i < fisher.length; i++) {
            fisher[i] += step * (gradient[i] * gradient[i] - fisher[i]);
        }
    }

    /**
     * The estimate as named arrays, slice {@code i} ({@code offsets[i] .. offsets[i + 1]}) under {@code names[i]};
     * empty before the first batch.
     */
    Optional<ExpertState> importance(String expert, String[] names, int[] offsets, long samples) {
        if (batches == 0) {
            return Optional.empty();
        }
        Map<String, double[]> w = new TreeMap<>();
        for (int i = 0; i < names.length; i++) {
            w.put(names[i], Arrays.copyOfRange(fisher, offsets[i], offsets[i + 1]));
        }
        return Optional.of(new ExpertState(expert, w, samples));
    }

    void save(StateWriter out) throws IOException {
        out.writeDoubles(fisher);
        out.writeLong(batches);
    }

    /** Reads what {@link #save} wrote and returns the change that restores it. */
    Runnable read(StateReader in) throws IOException {
        double[] newFisher = in.readDoubles(fisher.length, "Fisher estimate (one per parameter)");
        long newBatches = in.readLong();
        if (newBatches < 0) {
            throw new IOException("temporal expert checkpoint: invalid Fisher batches " + newBatches);
        }
        return () -> {
            System.arraycopy(newFisher, 0, fisher, 0, fisher.length);
            batches = newBatches;
        };
    }
}
