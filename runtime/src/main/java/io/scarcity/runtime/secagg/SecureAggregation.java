package io.scarcity.runtime.secagg;

import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * One secure aggregation played out in this process between {@link SecAggClient}s and a {@link SecAggServer}, with
 * clients dropping out at the two points where it matters, the bytes each message would take on the wire and the time
 * spent by the clients and by the coordinator; and the fixed-point encoding of real vectors into the integers mod 2^64
 * that the masks work in.
 */
public final class SecureAggregation {
    private SecureAggregation() {
    }

    /**
     * What an aggregation gave and cost.
     *
     * @param bytesUp everything the clients sent to the coordinator
     * @param bytesDown everything the coordinator sent to the clients
     * @param clientNanos the clients' computing time, summed
     * @param serverNanos the coordinator's
     */
    public record Round(SecAggServer.Result result, long bytesUp, long bytesDown, long clientNanos, long serverNanos) {
    }

    /**
     * @param inputs one vector per client (client ids 0, 1, ...), all of one length
     * @param degree neighbours per client (SecAgg+; {@code >= n - 1} for all)
     * @param leaveBeforeInput clients that share their keys, then send no input
     * @param leaveBeforeUnmasking clients that send their input, then release no shares
     */
    public static Round run(long[][] inputs, int degree, int threshold, Set<Integer> leaveBeforeInput,
                            Set<Integer> leaveBeforeUnmasking, SecureRandom random, long graphSeed) {
        int n = inputs.length;
        int length = inputs[0].length;
        List<Integer> ids = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            ids.add(i);
        }
        long up = 0;
        long down = 0;
        long clientTime = 0;
        long t = System.nanoTime();
        SecAggServer server = new SecAggServer(ids, degree, threshold, length, graphSeed);
        long serverTime = System.nanoTime() - t;
        Map<Integer, SecAggClient> clients = new TreeMap<>();
        for (int i : ids) {
            t = System.nanoTime();
            SecAggClient c = new SecAggClient(i, threshold, random);
            SecAggClient.Keys k = c.advertise();
            clientTime += System.nanoTime() - t;
            clients.put(i, c);
            server.received(k);
            up += 4 + 64;
        }
        for (SecAggClient c : clients.values()) {
            List<SecAggClient.Keys> keys = server.keysFor(c.id());
            down += 68L * keys.size();
            t = System.nanoTime();
            List<SecAggClient.SealedShare> shares = c.shareKeys(keys);
            clientTime += System.nanoTime() - t;
            for (SecAggClient.SealedShare s : shares) {
                up += 8 + s.sealed().length;
            }
            t = System.nanoTime();
            server.receivedShares(c.id(), shares);
            serverTime += System.nanoTime() - t;
        }
        for (SecAggClient c : clients.values()) {
            List<SecAggClient.SealedShare> mine = server.sharesFor(c.id());
            for (SecAggClient.SealedShare s : mine) {
                down += 8 + s.sealed().length;
            }
            if (leaveBeforeInput.contains(c.id())) {
                continue;
            }
            t = System.nanoTime();
            long[] masked = c.maskedInput(mine, inputs[c.id()]);
            clientTime += System.nanoTime() - t;
            server.receivedInput(c.id(), masked);
            up += 8L * length;
        }
        List<SecAggClient.Unmasking> releases = new ArrayList<>();
        for (int id : server.stayed()) {
            if (leaveBeforeUnmasking.contains(id)) {
                continue;
            }
            Set<Integer> stayed = server.stayedAmong(id);
            Set<Integer> left = server.leftAmong(id);
            down += 4L * (stayed.size() + left.size());
            try {
                t = System.nanoTime();
                SecAggClient.Unmasking u = clients.get(id).unmask(stayed, left);
                clientTime += System.nanoTime() - t;
                releases.add(u);
                up += 4 + 70L * (u.selfMaskShares().size() + u.maskKeyShares().size());
            } catch (IllegalStateException refused) {
                // too few neighbours stayed: this client releases nothing
            }
        }
        t = System.nanoTime();
        SecAggServer.Result result = server.aggregate(releases);
        serverTime += System.nanoTime() - t;
        return new Round(result, up, down, clientTime, serverTime);
    }

    /**
     * Each value rounded to a multiple of {@code 2^-fractionBits}, as a 64-bit integer (two's complement, mod 2^64), at
     * most {@code 2^48} in magnitude once scaled, so that the sum of up to {@link SecAggServer#MAX_CLIENTS} clients' values
     * cannot wrap.
     *
     * @throws IllegalArgumentException for a value beyond that (the client then drops out of the aggregation)
     */
    public static long[] encode(double[] values, int fractionBits) {
        long[] out = new long[values.length];
        double scale = Math.scalb(1.0, fractionBits);
        for (int i = 0; i < values.length; i++) {
            double v = values[i] * scale;
            if (!Double.isFinite(v) || Math.abs(v) >= 0x1p48) {
                throw new IllegalArgumentException("value " + values[i] + " is beyond what secure aggregation sums without"
                        + " overflow (" + Math.scalb(1.0, 48 - fractionBits) + " with " + fractionBits + " fraction bits)");
            }
            out[i] = Math.round(v);
        }
        return out;
    }

    public static double[] decode(long[] sum, int fractionBits) {
        double[] out = new double[sum.length];
        for (int i = 0; i < sum.length; i++) {
            out[i] = Math.scalb((double) sum[i], -fractionBits);
        }
        return out;
    }
}
