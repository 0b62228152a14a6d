package io.scarcity.plugins.drift;

import io.scarcity.api.StateReader;
import io.scarcity.api.StateWriter;
import java.io.IOException;

/**
 * DDM, the drift detection method of Gama, Medas, Castillo and Rodrigues ("Learning with drift
 * detection", SBIA 2004). After {@code i} rows since the last reset, {@code p_i} is the mean loss and
 * {@code s_i} its standard error; the detector remembers {@code p_min} and {@code s_min} at the row where
 * {@code p_i + s_i} was smallest, and is in the warning zone while {@code p_i + s_i > p_min + w s_min} and
 * detects a change (then resets) when {@code p_i + s_i > p_min + d s_min} ({@code w = 2}, {@code d = 3} in
 * the paper). Nothing is decided before {@code minInstances} rows.
 *
 * <p><b>Losses.</b> The paper's {@code s_i = sqrt(p_i (1 - p_i) / i)} is the standard error of a Bernoulli
 * error rate. Here {@code s_i = sqrt(v_i / i)} with {@code v_i} the (population) variance of the losses
 * seen since the reset, which for 0/1 losses is exactly {@code p_i (1 - p_i)}: on classification errors
 * this is the paper's test. On real-valued losses (squared errors) it is the same control chart on the
 * mean loss with its empirical standard error, a normal approximation that holds for losses with a
 * finite variance; it is not scale-dependent, so the coordinator's loss scale does not apply to it.
 *
 * <p>A minimum is only taken where {@code s_i > 0}: with no error yet ({@code p = s = 0}) the paper's rule
 * would set a zero band and report the first error as a change.
 *
 * <p>{@link #level()} is {@code (p_i + s_i - p_min - s_min) / ((d - 1) s_min)}: 0 at the minimum, 1 at the
 * detection threshold, {@code (w - 1) / (d - 1)} at the warning threshold.
 */
final class Ddm implements LossDetector {
    private final int minInstances;
    private final double warningLevel;
    private final double driftLevel;
    private long count;
    private double mean;
    private double squares;
    private double minMean;
    private double minError;
    private double level;
    private boolean warning;

    Ddm(int minInstances, double warningLevel, double driftLevel) {
        this.minInstances = minInstances;
        this.warningLevel = warningLevel;
        this.driftLevel = driftLevel;
        reset();
    }

    private void reset() {
        count = 0;
        mean = 0;
        squares = 0;
        minMean = Double.POSITIVE_INFINITY;
        minError = Double.POSITIVE_INFINITY;
        level = 0;
        warning = false;
    }

    @Override
    public boolean add(double x) {
        count++;
        double d = x - mean;
        mean += d / count;
        squares += d * (x - mean);
        if (count < minInstances) {
            return false;
        }
        double s = Math.sqrt(Math.max(0, squares / count) / count);
        double ps = mean + s;
        if (s > 0 && ps <= minMean + minError) {
            minMean = mean;
            minError = s;
        }
        if (minError == Double.POSITIVE_INFINITY) {
            return false;
        }
        level = Math.max(0, (ps - minMean - minError) / ((driftLevel - 1) * minError));
        if (ps > minMean + driftLevel * minError) {
            reset();
            return true;
        }
        warning = ps > minMean + warningLevel * minError;
        return false;
    }

    @Override
    public double level() {
        return level;
    }

    @Override
    public boolean warning() {
        return warning;
    }

    /** Rows since the last reset. */
    long count() {
        return count;
    }

    @Override
    public void save(StateWriter out) throws IOException {
        out.writeLong(count);
        out.writeDouble(mean);
        out.writeDouble(squares);
        out.writeDouble(minMean);
        out.writeDouble(minError);
        out.writeDouble(level);
        out.writeBoolean(warning);
    }

    @Override
    public void restore(StateReader in) throws IOException {
        long c = in.readLong();
        if (c < 0) {
            throw new IOException("ddm state: negative count " + c);
        }
        count = c;
        mean = in.readDouble();
        squares = in.readDouble();
        minMean = in.readDouble();
        minError = in.readDouble();
        level = in.readDouble();
        warning = in.readBoolean();
    }
}
