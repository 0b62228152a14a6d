package io.scarcity.runtime.secagg;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import java.security.SecureRandom;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SecureAggregationTest {
    static long[][] inputs(int n, int length, long seed) {
        Random r = new Random(seed);
        long[][] x = new long[n][length];
        for (long[] row : x) {
            for (int i = 0; i < length; i++) {
                row[i] = r.nextInt(2_000_001) - 1_000_000;
            }
        }
        return x;
    }

    static long[] sumOf(long[][] x, Set<Integer> without) {
        long[] s = new long[x[0].length];
        for (int u = 0; u < x.length; u++) {
            if (!without.contains(u)) {
                for (int i = 0; i < s.length; i++) {
                    s[i] += x[u][i];
                }
            }
        }
        return s;
    }

    @Test
    void theSumIsExactWithEveryClient() {
        long[][] x = inputs(10, 50, 1);
        SecureAggregation.Round r = SecureAggregation.run(x, 9, 6, Set.of(), Set.of(), new SecureRandom(), 1);
        assertTrue(r.result().aggregated(), r.result().failure());
        assertArrayEquals(sumOf(x, Set.of()), r.result().sum());
        assertEquals(10, r.result().summed().size());
    }

    @Test
    void theSumIsExactWithDropoutsDownToTheThreshold() {
        long[][] x = inputs(10, 40, 2);
        // three leave after sharing keys (their pairwise masks must be removed), one more after sending its input
        // (its input counts, its self-mask is rebuilt from the others' shares): 6 remain to the end, the threshold
        SecureAggregation.Round r = SecureAggregation.run(x, 9, 6, Set.of(1, 4, 7), Set.of(9), new SecureRandom(), 2);
        assertTrue(r.result().aggregated(), r.result().failure());
        assertArrayEquals(sumOf(x, Set.of(1, 4, 7)), r.result().sum());
        assertEquals(Set.of(0, 2, 3, 5, 6, 8, 9), r.result().summed());
    }

    @Test
    void belowTheThresholdTheRoundSaysItCouldNotAggregateAndRevealsNothing() {
        long[][] x = inputs(10, 20, 3);
        SecureAggregation.Round r = SecureAggregation.run(x, 9, 6, Set.of(0, 1, 2, 3, 4), Set.of(), new SecureRandom(), 3);
        assertFalse(r.result().aggregated());
        assertEquals(null, r.result().sum());
        assertTrue(r.result().failure().startsWith("could not aggregate"), r.result().failure());
        // enough inputs, but too few clients left to release the shares
        SecureAggregation.Round late = SecureAggregation.run(x, 9, 6, Set.of(), Set.of(0, 1, 2, 3, 4), new SecureRandom(), 3);
        assertFalse(late.result().aggregated());
        assertTrue(late.result().failure().contains("shares"), late.result().failure());
    }

    @Test
    void aSparseNeighbourhoodGraphAggregatesToo() {
        long[][] x = inputs(60, 16, 4);
        SecureAggregation.Round r = SecureAggregation.run(x, 10, 6, Set.of(5, 17, 33), Set.of(40), new SecureRandom(), 4);
        assertTrue(r.result().aggregated(), r.result().failure());
        assertArrayEquals(sumOf(x, Set.of(5, 17, 33)), r.result().sum());
        Map<Integer, List<Integer>> g = SecAggServer.neighbourhoods(java.util.stream.IntStream.range(0, 60).boxed().toList(), 10, 4);
        for (Map.Entry<Integer, List<Integer>> e : g.entrySet()) {
            assertEquals(10, e.getValue().size());
            for (int v : e.getValue()) {
                assertTrue(g.get(v).contains(e.getKey()), "neighbourhoods are symmetric");
            }
        }
    }

    /**
     * What the coordinator sees of one client, its masked input, is indistinguishable from uniform random words: the
     * same input (all zeros) masked many times gives words whose every bit is set half the time and whose bytes are
     * uniform (chi-square over 256 values), and the masked words of two very different inputs have the same mean bit
     * frequencies.
     */
    @Test
    void theCoordinatorsViewOfOneClientIsIndistinguishableFromRandom() {
        int length = 4000;
        long[] zeros = new long[length];
        long[] big = new long[length];
        java.util.Arrays.fill(big, 123_456_789L);
        int[] bitCount = new int[64];
        long[] byteCount = new long[256];
        long words = 0;
        double[] ones = new double[2];
        for (int trial = 0; trial < 2; trial++) {
            long[] input = trial == 0 ? zeros : big;
            SecAggClient a = new SecAggClient(0, 2, new SecureRandom());
            SecAggClient b = new SecAggClient(1, 2, new SecureRandom());
            SecAggServer server = new SecAggServer(List.of(0, 1), 1, 2, length, 1);
            server.received(a.advertise());
            server.received(b.advertise());
            server.receivedShares(0, a.shareKeys(server.keysFor(0)));
            server.receivedShares(1, b.shareKeys(server.keysFor(1)));
            long[] seen = a.maskedInput(server.sharesFor(0), input);
            long total = 0;
            for (long w : seen) {
                total += Long.bitCount(w);
                if (trial == 0) {
                    for (int bit = 0; bit < 64; bit++) {
                        bitCount[bit] += (int) ((w >>> bit) & 1);
                    }
                    for (int k = 0; k < 8; k++) {
                        byteCount[(int) ((w >>> (8 * k)) & 0xff)]++;
                    }
                    words++;
                }
            }
            ones[trial] = (double) total / (64.0 * length);
        }
        double sd = Math.sqrt(0.25 / words);
        for (int bit = 0; bit < 64; bit++) {
            assertEquals(0.5, bitCount[bit] / (double) words, 5 * sd, "bit " + bit);
        }
        double expected = words * 8 / 256.0;
        double chi2 = 0;
        for (long c : byteCount) {
            chi2 += (c - expected) * (c - expected) / expected;
        }
        assertTrue(chi2 < 350, "chi-square of the byte values over 255 degrees of freedom: " + chi2); // p ~ 1e-4
        assertEquals(ones[0], ones[1], 5 * Math.sqrt(0.25 / (64.0 * length)) * Math.sqrt(2));
    }

    @Test
    void aClientNeverReleasesBothMasksOfOneClient() {
        long[][] x = inputs(4, 4, 5);
        SecAggServer server = new SecAggServer(List.of(0, 1, 2, 3), 3, 3, 4, 5);
        Map<Integer, SecAggClient> c = new HashMap<>();
        for (int i = 0; i < 4; i++) {
            c.put(i, new SecAggClient(i, 3, new SecureRandom()));
            server.received(c.get(i).advertise());
        }
        for (int i = 0; i < 4; i++) {
            server.receivedShares(i, c.get(i).shareKeys(server.keysFor(i)));
        }
        for (int i = 0; i < 4; i++) {
            server.receivedInput(i, c.get(i).maskedInput(server.sharesFor(i), x[i]));
        }
        SecAggClient one = c.get(0);
        assertThrows(IllegalStateException.class, () -> one.maskedInput(server.sharesFor(0), x[0]), "never a second input");
        assertThrows(IllegalStateException.class, () -> one.unmask(Set.of(1, 2), Set.of(2)));
        one.unmask(Set.of(1, 2, 3), Set.of());
        IllegalStateException again = assertThrows(IllegalStateException.class, () -> one.unmask(Set.of(1, 3), Set.of(2)));
        assertTrue(again.getMessage().contains("both masks of client 2"), again.getMessage());
    }

    @Test
    void aClientRefusesAThresholdOfAMinorityOrOfOne() {
        SecAggServer server = new SecAggServer(List.of(0, 1, 2, 3), 3, 2, 1, 8);
        SecAggClient a = new SecAggClient(0, 2, new SecureRandom());
        for (int i = 0; i < 4; i++) {
            server.received(i == 0 ? a.advertise() : new SecAggClient(i, 2, new SecureRandom()).advertise());
        }
        IllegalStateException half = assertThrows(IllegalStateException.class, () -> a.shareKeys(server.keysFor(0)));
        assertTrue(half.getMessage().contains("more than half"), half.getMessage());
        SecAggClient one = new SecAggClient(0, 1, new SecureRandom());
        assertThrows(IllegalStateException.class, () -> one.shareKeys(server.keysFor(0)));
    }

    @Test
    void aShareChangedOrSentToAnotherClientDoesNotOpen() {
        SecAggServer server = new SecAggServer(List.of(0, 1, 2), 2, 2, 3, 6);
        SecAggClient a = new SecAggClient(0, 2, new SecureRandom());
        SecAggClient b = new SecAggClient(1, 2, new SecureRandom());
        SecAggClient d = new SecAggClient(2, 2, new SecureRandom());
        for (SecAggClient c : List.of(a, b, d)) {
            server.received(c.advertise());
        }
        List<SecAggClient.SealedShare> fromA = a.shareKeys(server.keysFor(0));
        b.shareKeys(server.keysFor(1));
        SecAggClient.SealedShare forB = fromA.stream().filter(s -> s.to() == 1).findFirst().orElseThrow();
        byte[] changed = forB.sealed().clone();
        changed[changed.length - 1] ^= 1;
        assertThrows(IllegalArgumentException.class, () -> b.maskedInput(List.of(new SecAggClient.SealedShare(0, 1, changed)), new long[3]));
        d.shareKeys(server.keysFor(2));
        assertThrows(IllegalArgumentException.class, () -> d.maskedInput(List.of(new SecAggClient.SealedShare(0, 2, forB.sealed())), new long[3]));
    }

    @Test
    void shamirRebuildsFromAnyThresholdSharesAndTheThresholdIsChecked() {
        byte[] secret = new byte[32];
        new SecureRandom().nextBytes(secret);
        BigInteger[] poly = Shamir.polynomial(secret, 3, new SecureRandom());
        Map<Integer, BigInteger> shares = new HashMap<>();
        for (int x : new int[] {2, 5, 9}) {
            shares.put(x, Shamir.evaluate(poly, x));
        }
        assertArrayEquals(secret, Shamir.reconstruct(shares, 3));
        shares.remove(5);
        assertThrows(IllegalArgumentException.class, () -> Shamir.reconstruct(shares, 3));
        assertThrows(IllegalArgumentException.class, () -> new SecAggServer(List.of(0, 1, 2), 2, 4, 1, 0));
        assertThrows(IllegalArgumentException.class, () -> new SecAggServer(List.of(0, 1, 2), 2, 0, 1, 0));
    }

    @Test
    void realVectorsSurviveTheFixedPointEncoding() {
        double[][] x = {{0.5, -1.25, 3e-6}, {2.0, 0.25, -1e-6}, {-0.125, 1.0, 0}};
        long[][] encoded = new long[3][];
        for (int i = 0; i < 3; i++) {
            encoded[i] = SecureAggregation.encode(x[i], 30);
        }
        SecureAggregation.Round r = SecureAggregation.run(encoded, 2, 2, Set.of(), Set.of(), new SecureRandom(), 7);
        double[] sum = SecureAggregation.decode(r.result().sum(), 30);
        assertArrayEquals(new double[] {2.375, 0.0, 2e-6}, sum, 3 * Math.scalb(1.0, -30));
        assertThrows(IllegalArgumentException.class, () -> SecureAggregation.encode(new double[] {1e300}, 30));
    }
}
