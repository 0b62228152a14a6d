package io.scarcity.plugins.forest;

/**
 * The forest's random numbers: SplitMix64 (Steele, Lea and Flood, "Fast splittable pseudorandom number
 * generators", OOPSLA 2014), whose whole state is one {@code long}, so that drawing allocates nothing and
 * a checkpoint is one number; seeded once from the plugin context's generator. Poisson weights are drawn by
 * inverting a table of the cumulative distribution, one uniform per draw.
 */
final class Rng {
    private static final long GOLDEN = 0x9E3779B97F4A7C15L;
    private long state;
    private final double[] poissonCdf;

    /** @param lambda the Poisson mean of {@link #poisson()}, > 0 */
    Rng(long seed, double lambda) {
        this.state = seed;
        // P(K <= k) for k = 0.. until the rest is below double resolution
        double p = Math.exp(-lambda);
        double[] cdf = new double[16];
        double sum = 0;
        int k = 0;
        while (true) {
            sum += p;
            if (k == cdf.length) {
                cdf = java.util.Arrays.copyOf(cdf, 2 * k);
            }
            cdf[k] = sum;
            if (sum >= 1 - 1e-16 || (k > lambda && p < 1e-300)) {
                break;
            }
            k++;
            p *= lambda / k;
        }
        this.poissonCdf = java.util.Arrays.copyOf(cdf, k + 1);
    }

    long state() {
        return state;
    }

    void setState(long s) {
        state = s;
    }

    long nextLong() {
        long z = state += GOLDEN;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** Uniform in [0, 1). */
    double nextDouble() {
        return (nextLong() >>> 11) * 0x1.0p-53;
    }

    /** Uniform in [0, n), n > 0. */
    int nextInt(int n) {
        return (int) (((nextLong() >>> 32) * n) >>> 32);
    }

    /** A non-negative integer below 2^52, exact as a double: an identity for a tree. */
    long nextId() {
        return nextLong() >>> 12;
    }

    /** A Poisson(lambda) draw. */
    int poisson() {
        double u = nextDouble();
        int k = 0;
        int last = poissonCdf.length - 1;
        while (k < last && u >= poissonCdf[k]) {
            k++;
        }
        return k;
    }
}
