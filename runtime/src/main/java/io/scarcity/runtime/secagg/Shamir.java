package io.scarcity.runtime.secagg;

import java.math.BigInteger;
import java.security.SecureRandom;
import java.util.Map;

/**
 * Shamir's secret sharing of 32-byte secrets over the prime field of {@code 2^521 - 1} (a Mersenne prime, so every
 * 256-bit secret is a field element): a random polynomial of degree {@code threshold - 1} with the secret as its
 * constant term, evaluated at {@code x = 1, 2, ...}; any {@code threshold} shares give the secret back by Lagrange
 * interpolation at 0, fewer say nothing about it.
 */
final class Shamir {
    static final BigInteger PRIME = BigInteger.TWO.pow(521).subtract(BigInteger.ONE);
    static final int SECRET_BYTES = 32;

    private Shamir() {
    }

    /** The share of {@code secret} for the holder at {@code x} (>= 1), from the polynomial's coefficients. */
    static BigInteger[] polynomial(byte[] secret, int threshold, SecureRandom random) {
        if (secret.length != SECRET_BYTES || threshold < 1) {
            throw new IllegalArgumentException("a 32-byte secret and a threshold >= 1");
        }
        BigInteger[] c = new BigInteger[threshold];
        c[0] = new BigInteger(1, secret);
        for (int i = 1; i < threshold; i++) {
            BigInteger r;
            do {
                r = new BigInteger(PRIME.bitLength(), random);
            } while (r.compareTo(PRIME) >= 0);
            c[i] = r;
        }
        return c;
    }

    static BigInteger evaluate(BigInteger[] coefficients, int x) {
        BigInteger bx = BigInteger.valueOf(x);
        BigInteger y = BigInteger.ZERO;
        for (int i = coefficients.length - 1; i >= 0; i--) {
            y = y.multiply(bx).add(coefficients[i]).mod(PRIME);
        }
        return y;
    }

    /**
     * The secret from at least {@code threshold} shares, keyed by their x.
     *
     * @throws IllegalArgumentException with fewer than {@code threshold} shares
     */
    static byte[] reconstruct(Map<Integer, BigInteger> shares, int threshold) {
        if (shares.size() < threshold) {
            throw new IllegalArgumentException(shares.size() + " shares, " + threshold + " needed");
        }
        int[] xs = shares.keySet().stream().limit(threshold).mapToInt(Integer::intValue).toArray();
        BigInteger secret = BigInteger.ZERO;
        for (int i = 0; i < xs.length; i++) {
            BigInteger num = BigInteger.ONE;
            BigInteger den = BigInteger.ONE;
            for (int j = 0; j < xs.length; j++) {
                if (i != j) {
                    num = num.multiply(BigInteger.valueOf(-xs[j])).mod(PRIME);
                    den = den.multiply(BigInteger.valueOf(xs[i] - xs[j])).mod(PRIME);
                }
            }
            BigInteger term = shares.get(xs[i]).multiply(num).multiply(den.modInverse(PRIME)).mod(PRIME);
            secret = secret.add(term).mod(PRIME);
        }
        byte[] raw = secret.toByteArray();
        byte[] out = new byte[SECRET_BYTES];
        int copy = Math.min(raw.length, SECRET_BYTES);
        System.arraycopy(raw, raw.length - copy, out, SECRET_BYTES - copy, copy);
        if (secret.bitLength() > 8 * SECRET_BYTES) {
            throw new IllegalArgumentException("the shares do not belong to one 32-byte secret");
        }
        return out;
    }
}
