package io.scarcity.runtime.federation;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What the coordinator knows of each client's liveness: the rounds it sent a heartbeat in (an insight
 * counts as one). A client silent for more than {@code timeoutRounds} rounds is dropped: left out of
 * aggregation and gossip until it reports again. Reliability is the share of the last {@code window}
 * rounds the client reported in.
 *
 * <p>Used from the engine's thread only.
 */
public final class ClientHealth implements io.scarcity.api.Checkpointable {
    private final int timeoutRounds;
    private final int window;
    private final Map<String, Integer> lastSeen = new LinkedHashMap<>();
    private final Map<String, Deque<Integer>> recent = new LinkedHashMap<>();

    public ClientHealth(List<String> clients, int timeoutRounds, int window) {
        if (timeoutRounds < 0 || window < 1) {
            throw new IllegalArgumentException("timeoutRounds >= 0 and window >= 1 required");
        }
        this.timeoutRounds = timeoutRounds;
        this.window = window;
        for (String c : clients) {
            lastSeen.put(c, 0);
            recent.put(c, new ArrayDeque<>());
        }
    }

    @Override
    public void saveState(io.scarcity.api.StateWriter out) throws java.io.IOException {
        out.writeInt(lastSeen.size());
        for (Map.Entry<String, Integer> e : lastSeen.entrySet()) {
            out.writeString(e.getKey());
            out.writeInt(e.getValue());
            out.writeInts(recent.get(e.getKey()).stream().mapToInt(Integer::intValue).toArray());
        }
    }

    @Override
    public void restoreState(io.scarcity.api.StateReader in) throws java.io.IOException {
        int n = in.readInt();
        if (n != lastSeen.size()) {
            throw new java.io.IOException("health of " + n + " clients saved, the run has " + lastSeen.size());
        }
        for (int i = 0; i < n; i++) {
            String client = in.readString();
            if (!lastSeen.containsKey(client)) {
                throw new java.io.IOException("health saved for client " + client + ", who is not in the run");
            }
            lastSeen.put(client, in.readInt());
            Deque<Integer> q = recent.get(client);
            q.clear();
            for (int r : in.readInts()) {
                q.addLast(r);
            }
        }
    }

    /** Records a heartbeat of a client in a round. */
    public void heartbeat(String client, int round) {
        Objects.requireNonNull(client, "client is null");
        if (!lastSeen.containsKey(client)) {
            throw new IllegalArgumentException("unknown client " + client);
        }
        lastSeen.put(client, round);
        Deque<Integer> q = recent.get(client);
        if (q.isEmpty() || q.peekLast() != round) {
            q.addLast(round);
        }
    }

    /** Whether a client has been silent for longer than the timeout as of {@code round}. */
    public boolean dropped(String client, int round) {
        return round - lastSeen.get(client) > timeoutRounds;
    }

    /** Whether a client reported in {@code round}. */
    public boolean reported(String client, int round) {
        return lastSeen.get(client) == round;
    }

    /** Share of the last {@code window} rounds (up to {@code round}) the client reported in. */
    public double reliability(String client, int round) {
        Deque<Integer> q = recent.get(client);
        while (!q.isEmpty() && q.peekFirst() <= round - window) {
            q.pollFirst();
        }
        int span = Math.min(window, round);
        return span <= 0 ? 1.0 : (double) q.size() / span;
    }
}
