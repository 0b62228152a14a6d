package io.scarcity.runtime.secagg;

import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Drives one secure aggregation between a {@link SecAggServer} and the clients' sides of it, whatever carries the
 * messages ({@link #drive}: the coordinator's round protocol through its client handles, or {@link #run}: clients in
 * this process, for tests and benchmarks), counting the bytes each message takes on the wire; and the fixed-point
 * encoding of real vectors into the integers mod 2^64 that the masks work in.
 */
public final class SecureAggregation {
    private SecureAggregation() {
    }

    /**
     * A client's side of an aggregation as the coordinator sees it: the four steps of {@link SecAggClient}. A step that
     * throws is that client dropping out from then on.
     */
    public interface Participant {
        SecAggClient.Keys keys(int index, int threshold);

        List<SecAggClient.SealedShare> shares(List<SecAggClient.Keys> neighbours);

        long[] maskedInput(List<SecAggClient.SealedShare> forMe);

        SecAggClient.Unmasking unmask(Set<Integer> stayed, Set<Integer> left);
    }

    /** Hears that a participant dropped out, at which step and why. */
    public interface Dropouts {
        void dropped(int index, String step, RuntimeException why);
    }

    /**
     * What one aggregation gave and what its messages took.
     *
     * @param up per participant, the bytes it sent the coordinator
     * @param down everything the coordinator sent the participants
     */
    public record Driven(SecAggServer.Result result, long[] up, long down) {
    }

    /**
     * The four steps with participant {@code k} as client {@code k} of {@code server}; a participant whose step throws has
     * dropped out from that step on (the protocol is made for that: the sum is recovered while enough of each
     * neighbourhood remains).
     */
    public static Driven drive(SecAggServer server, List<? extends Participant> participants, int threshold, int length,
                               Dropouts dropouts) {
        int n = participants.size();
        long[] up = new long[n];
        long down = 0;
        Set<Integer> out = new java.util.TreeSet<>();
        for (int k = 0; k < n; k++) {
            try {
                server.received(participants.get(k).keys(k, threshold));
                up[k] += 68;
            } catch (RuntimeException e) {
                out.add(k);
                dropouts.dropped(k, "keys", e);
            }
        }
        for (int k = 0; k < n; k++) {
            if (out.contains(k)) {
                continue;
            }
            List<SecAggClient.Keys> keys = server.keysFor(k);
            down += 68L * keys.size();
            try {
                List<SecAggClient.SealedShare> shares = participants.get(k).shares(keys);
                server.receivedShares(k, shares);
                for (SecAggClient.SealedShare s : shares) {
                    up[k] += 8 + s.sealed().length;
                }
            } catch (RuntimeException e) {
                out.add(k);
                dropouts.dropped(k, "shares", e);
            }
        }
        for (int k = 0; k < n; k++) {
            if (out.contains(k)) {
                continue;
            }
            List<SecAggClient.SealedShare> mine = server.sharesFor(k);
            for (SecAggClient.SealedShare s : mine) {
                down += 8 + s.sealed().length;
            }
            try {
                server.receivedInput(k, participants.get(k).maskedInput(mine));
                up[k] += 8L * length;
            } catch (RuntimeException e) {
                out.add(k);
                dropouts.dropped(k, "masked input", e);
            }
        }
        List<SecAggClient.Unmasking> releases = new ArrayList<>();
        for (int k : server.stayed()) {
            Set<Integer> stayed = server.stayedAmong(k);
            Set<Integer> left = server.leftAmong(k);
            down += 4L * (stayed.size() + left.size());
            try {
                SecAggClient.Unmasking u = participants.get(k).unmask(stayed, left);
                releases.add(u);
                up[k] += 4 + 70L * (u.selfMaskShares().size() + u.maskKeyShares().size());
            } catch (RuntimeException e) {
                dropouts.dropped(k, "unmasking", e);
            }
        }
        return new Driven(server.aggregate(releases), up, down);
    }

    /**
     * What an aggregation in this process gave and cost.
     *
     * @param bytesUp everything the clients sent to the coordinator
     * @param bytesDown everything the coordinator sent to the clients
     * @param clientNanos the clients' computing time, summed
     * @param serverNanos the coordinator's
     */
    public record Round(SecAggServer.Result result, long bytesUp, long bytesDown, long clientNanos, long serverNanos) {
    }

    /**
     * One aggregation between {@link SecAggClient}s in this process, with clients dropping out at the two points where it
     * matters.
     *
     * @param inputs one vector per client (client ids 0, 1, ...), all of one length
     * @param degree neighbours per client (SecAgg+; {@code >= n - 1} for all)
     * @param leaveBeforeInput clients that share their keys, then send no input
     * @param leaveBeforeUnmasking clients that send their input, then release no shares
     */
    public static Round run(long[][] inputs, int degree, int threshold, Set<Integer> leaveBeforeInput,
                            Set<Integer> leaveBeforeUnmasking, SecureRandom random, long graphSeed) {
        int n = inputs.length;
        List<Integer> ids = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            ids.add(i);
        }
        long[] clientTime = new long[1];
        List<Participant> clients = new ArrayList<>();
        for (int i : ids) {
            clients.add(new Participant() {
                private SecAggClient client;

                private <T> T timed(java.util.function.Supplier<T> step) {
                    long t = System.nanoTime();
                    try {
                        return step.get();
                    } finally {
                        clientTime[0] += System.nanoTime() - t;
                    }
                }

                @Override
                public SecAggClient.Keys keys(int index, int threshold) {
                    return timed(() -> {
                        client = new SecAggClient(i, threshold, random);
                        return client.advertise();
                    });
                }

                @Override
                public List<SecAggClient.SealedShare> shares(List<SecAggClient.Keys> neighbours) {
                    return timed(() -> client.shareKeys(neighbours));
                }

                @Override
                public long[] maskedInput(List<SecAggClient.SealedShare> forMe) {
                    if (leaveBeforeInput.contains(i)) {
                        throw new IllegalStateException("client " + i + " left");
                    }
                    return timed(() -> client.maskedInput(forMe, inputs[i]));
                }

                @Override
                public SecAggClient.Unmasking unmask(Set<Integer> stayed, Set<Integer> left) {
                    if (leaveBeforeUnmasking.contains(i)) {
                        throw new IllegalStateException("client " + i + " left");
                    }
                    return timed(() -> client.unmask(stayed, left));
                }
            });
        }
        long t = System.nanoTime();
        SecAggServer server = new SecAggServer(ids, degree, threshold, inputs[0].length, graphSeed);
        Driven d = drive(server, clients, threshold, inputs[0].length, (k, step, why) -> { });
        long total = System.nanoTime() - t;
        return new Round(d.result(), java.util.Arrays.stream(d.up()).sum(), d.down(), clientTime[0], total - clientTime[0]);
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
