package io.scarcity.plugins.reconstruction;

import io.scarcity.api.StateReader;
import io.scarcity.api.StateWriter;
import java.io.IOException;

/**
 * Running mean and variance of past rows' reconstruction errors, the reference of the anomaly rate:
 * exponentially weighted with step {@code max(1 / n, }{@value #RATE}{@code )} (a memory of about 200
 * rows, so that the reference follows the errors down while the network learns), ready after
 * {@value #WARM_UP} rows.
 */
final class RunningError {
    static final double RATE = 0.005;
    static final int WARM_UP = 100;

    private long count;
    private double mean;
    private double variance;

    boolean ready() {
        return count >= WARM_UP;
    }

    /** {@code mean + sigmas * sd}; +infinity before the warm-up. */
    double threshold(double sigmas) {
        return ready() ? mean + sigmas * Math.sqrt(variance) : Double.POSITIVE_INFINITY;
    }

    void observe(double error) {
        if (!Double.isFinite(error)) {
            return;
        }
        count++;
        double a = Math.max(1.0 / count, RATE);
        double dev = error - mean;
        double step = a * dev;
        mean += step;
        variance = (1 - a) * (variance + dev * step);
    }

    double mean() {
        return mean;
    }

    void save(StateWriter out) throws IOException {
        out.writeLong(count);
        out.writeDouble(mean);
        out.writeDouble(variance);
    }

    void restore(StateReader in) throws IOException {
        long newCount = in.readLong();
        double newMean = in.readDouble();
        double newVariance = in.readDouble();
        if (newCount < 0 || !(newVariance >= 0)) {
            throw new IOException("reconstruction error statistics: invalid count " + newCount + " or variance " + newVariance);
        }
        count = newCount;
        mean = newMean;
        variance = newVariance;
    }
}
