package io.scarcity.plugins.drift;

/**
 * The Page-Hinkley test for an increase in the mean of a stream, with a fading factor.
 *
 * <p>With {@code xbar_t} the running mean of the values since the last reset, the cumulative sum is
 * {@code m_t = alpha * m_{t-1} + (x_t - xbar_t - delta)} and the statistic is {@code m_t - M_t}, where
 * {@code M_t = min(alpha * M_{t-1}, m_t)}. The minimum fades with the sum: {@code m_t - alpha^(t-s) m_s}
 * is the faded cumulative sum of the increments after row {@code s}, so the statistic is the largest
 * such sum over all starting rows. (Fading the sum alone but keeping an all-time minimum, as some
 * implementations do, lets the statistic creep up on a stationary stream and raises false alarms.)
 * With {@code alpha = 1} it is the classic test. A change is reported when the statistic exceeds
 * {@code lambda} after at least {@code minInstances} values.
 */
final class PageHinkley implements LossDetector {
    private double delta;
    private final double alpha;
    private final int minInstances;
    private final double warningFraction;
    private double lambda;
    private long count;
    private double mean;
    private double sum;
    private double minimum;

    PageHinkley(double delta, double lambda, double alpha, int minInstances) {
        this(delta, lambda, alpha, minInstances, 0.5);
    }

    /** As above; the warning zone is a statistic above {@code warningFraction * lambda}. */
    PageHinkley(double delta, double lambda, double alpha, int minInstances, double warningFraction) {
        this.delta = delta;
        this.lambda = lambda;
        this.alpha = alpha;
        this.minInstances = minInstances;
        this.warningFraction = warningFraction;
    }

    /** Adds a value; returns whether a change was detected, in which case the test has reset itself. */
    @Override
    public boolean add(double x) {
        count++;
        mean += (x - mean) / count;
        sum = alpha * sum + (x - mean - delta);
        minimum = Math.min(alpha * minimum, sum);
        if (count >= minInstances && sum - minimum > lambda) {
            reset();
            return true;
        }
        return false;
    }

    void reset() {
        count = 0;
        mean = 0;
        sum = 0;
        minimum = 0;
    }

    /** The statistic over the threshold. */
    @Override
    public double level() {
        return statistic() / lambda;
    }

    @Override
    public boolean warning() {
        return statistic() > warningFraction * lambda;
    }

    /** The current statistic, >= 0. */
    double statistic() {
        return sum - minimum;
    }

    double lambda() {
        return lambda;
    }

    void lambda(double value) {
        lambda = value;
    }

    double delta() {
        return delta;
    }

    void delta(double value) {
        delta = value;
    }

    long count() {
        return count;
    }

    /** Writes the state that changes after construction (threshold, delta, count, mean, sum, minimum). */
    @Override
    public void save(io.scarcity.api.StateWriter out) throws java.io.IOException {
        out.writeDouble(lambda);
        out.writeDouble(delta);
        out.writeLong(count);
        out.writeDouble(mean);
        out.writeDouble(sum);
        out.writeDouble(minimum);
    }

    /** Reads what {@link #save} wrote. */
    @Override
    public void restore(io.scarcity.api.StateReader in) throws java.io.IOException {
        double l = in.readDouble();
        double d = in.readDouble();
        long c = in.readLong();
        if (!(l > 0) || Double.isInfinite(l) || !(d >= 0) || Double.isInfinite(d) || c < 0) {
            throw new java.io.IOException("drift detector state: invalid threshold " + l + ", delta " + d + " or count " + c);
        }
        lambda = l;
        delta = d;
        count = c;
        mean = in.readDouble();
        sum = in.readDouble();
        minimum = in.readDouble();
    }
}
