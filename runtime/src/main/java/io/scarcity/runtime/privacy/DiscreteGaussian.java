package io.scarcity.runtime.privacy;

import java.math.BigInteger;
import java.util.Random;

/**
 * Exact samples of the discrete Gaussian N_Z(0, σ²) on the integers, for an integer σ², by the rejection sampler of
 * Canonne, Kamath and Steinke ("The Discrete Gaussian for Differential Privacy", NeurIPS 2020, Algorithms 1-3): every
 * step is a comparison of integers drawn uniformly from the given source, with no floating point anywhere. A
 * floating-point Gaussian leaks through the pattern of its low-order bits (Mironov, CCS 2012); this does not. Its
 * privacy is that of the continuous Gaussian with the same σ and integer sensitivity (their Theorems 4 and 14: the
 * same concentrated-DP bound, up to a term below e^{-π²σ²} per coordinate), so {@link RdpAccountant} accounts for it
 * unchanged.
 */
final class DiscreteGaussian {
    private final Random bits;

    /** @param bits the source of uniform bits (for DP, a cryptographically secure one) */
    DiscreteGaussian(Random bits) {
        this.bits = bits;
    }

    /** A sample of N_Z(0, sigma2), sigma2 ≥ 1. */
    long sample(BigInteger sigma2) {
        if (sigma2.signum() <= 0) {
            throw new IllegalArgumentException("sigma² must be > 0, got " + sigma2);
        }
        // t = floor(σ) + 1, the discrete Laplace's scale that the Gaussian is carved from
        BigInteger t = sigma2.sqrt().add(BigInteger.ONE);
        BigInteger twoSigma2T2 = sigma2.shiftLeft(1).multiply(t).multiply(t);
        while (true) {
            long y = laplace(t);
            // accept with probability exp(-(|y| - σ²/t)² / (2σ²)) = exp(-(|y|·t - σ²)² / (2σ²t²))
            BigInteger gap = BigInteger.valueOf(Math.abs(y)).multiply(t).subtract(sigma2);
            if (bernoulliExp(gap.multiply(gap), twoSigma2T2)) {
                return y;
            }
        }
    }

    /** A sample of the discrete Laplace distribution with scale t: P(x) ∝ exp(-|x|/t) (their Algorithm 2). */
    long laplace(BigInteger t) {
        while (true) {
            BigInteger u = below(t);
            if (!bernoulliExp(u, t)) {
                continue;
            }
            long v = 0;
            while (bernoulliExp(BigInteger.ONE, BigInteger.ONE)) {
                v++;
            }
            long x = u.add(t.multiply(BigInteger.valueOf(v))).longValueExact();
            boolean negative = bernoulli(BigInteger.ONE, BigInteger.TWO);
            if (negative && x == 0) {
                continue;
            }
            return negative ? -x : x;
        }
    }

    /** Bernoulli(exp(-n/d)) for n/d ≥ 0 (their Algorithm 1, with exp(-1) repeated for the integer part). */
    boolean bernoulliExp(BigInteger n, BigInteger d) {
        BigInteger rest = n;
        while (rest.compareTo(d) > 0) {
            if (!bernoulliExpAtMostOne(BigInteger.ONE, BigInteger.ONE)) {
                return false;
            }
            rest = rest.subtract(d);
        }
        return bernoulliExpAtMostOne(rest, d);
    }

    /** Bernoulli(exp(-γ)) for γ = n/d in [0, 1]: the parity of the first K with Bernoulli(γ/K) = 0. */
    private boolean bernoulliExpAtMostOne(BigInteger n, BigInteger d) {
        long k = 1;
        while (bernoulli(n, d.multiply(BigInteger.valueOf(k)))) {
            k++;
        }
        return (k & 1) == 1;
    }

    /** Bernoulli(n/d), 0 ≤ n ≤ d: a uniform integer below d compared with n. */
    boolean bernoulli(BigInteger n, BigInteger d) {
        return below(d).compareTo(n) < 0;
    }

    /** A uniform integer in [0, d), by rejection from the source's bits. */
    BigInteger below(BigInteger d) {
        int length = d.bitLength();
        while (true) {
            BigInteger r = new BigInteger(length, bits);
            if (r.compareTo(d) < 0) {
                return r;
            }
        }
    }
}
