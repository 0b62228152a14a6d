package io.scarcity.runtime.coordinator;

import io.scarcity.api.Insight;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/** Insights in memory, lost with the process: for tests, benchmarks and runs that ask for no store. */
final class InMemoryInsightTable implements InsightTable, io.scarcity.api.Checkpointable {
    private final int capacityPerDomain;
    private byte[] salt = ClientPseudonyms.newSalt();
    private final Map<String, Deque<Insight>> byDomain = new TreeMap<>();
    private final Map<String, Long> trimmed = new TreeMap<>();
    private long accepted;

    InMemoryInsightTable(int capacityPerDomain) {
        this.capacityPerDomain = capacityPerDomain;
    }

    @Override
    public byte[] salt() {
        return salt.clone();
    }

    @Override
    public synchronized void insert(List<Insight> insights) {
        for (Insight insight : insights) {
            Deque<Insight> q = byDomain.computeIfAbsent(insight.domain(), d -> new ArrayDeque<>());
            q.addLast(insight);
            accepted++;
            while (q.size() > capacityPerDomain) {
                q.removeFirst();
                trimmed.merge(insight.domain(), 1L, Long::sum);
            }
        }
    }

    @Override
    public synchronized Set<String> domains() {
        return new TreeSet<>(byDomain.keySet());
    }

    @Override
    public synchronized List<Insight> recent(String domain, int max) {
        return recent(domain, max, Integer.MAX_VALUE);
    }

    @Override
    public synchronized List<Insight> recent(String domain, int max, int throughRound) {
        Deque<Insight> q = byDomain.get(domain);
        if (q == null || max <= 0) {
            return List.of();
        }
        List<Insight> out = new ArrayList<>(Math.min(max, q.size()));
        Iterator<Insight> it = q.descendingIterator();
        while (it.hasNext() && out.size() < max) {
            Insight i = it.next();
            if (i.round() <= throughRound) {
                out.add(i);
            }
        }
        Collections.reverse(out);
        return out;
    }

    @Override
    public synchronized int size(String domain) {
        Deque<Insight> q = byDomain.get(domain);
        return q == null ? 0 : q.size();
    }

    @Override
    public synchronized int size(String domain, int throughRound) {
        Deque<Insight> q = byDomain.get(domain);
        return q == null ? 0 : (int) q.stream().filter(i -> i.round() <= throughRound).count();
    }

    @Override
    public synchronized int lastRound(String domain) {
        Deque<Insight> q = byDomain.get(domain);
        return q == null ? 0 : q.stream().mapToInt(Insight::round).max().orElse(0);
    }

    /** Saves the salt, every stored insight and the counters (an in-memory store lives only in checkpoints). */
    @Override
    public synchronized void saveState(io.scarcity.api.StateWriter out) throws java.io.IOException {
        out.writeBytes(salt);
        out.writeLong(accepted);
        out.writeInt(byDomain.size());
        for (Map.Entry<String, Deque<Insight>> e : byDomain.entrySet()) {
            out.writeString(e.getKey());
            out.writeLong(trimmed.getOrDefault(e.getKey(), 0L));
            out.writeInt(e.getValue().size());
            for (Insight i : e.getValue()) {
                out.writeString(InsightCodec.encodeText(i));
            }
        }
    }

    @Override
    public synchronized void restoreState(io.scarcity.api.StateReader in) throws java.io.IOException {
        byte[] savedSalt = in.readBytes();
        if (savedSalt == null || savedSalt.length != ClientPseudonyms.SALT_BYTES) {
            throw new java.io.IOException("corrupt checkpoint: pseudonym salt of " + (savedSalt == null ? 0 : savedSalt.length) + " bytes");
        }
        salt = savedSalt;
        accepted = in.readLong();
        byDomain.clear();
        trimmed.clear();
        int domains = in.readInt();
        for (int d = 0; d < domains; d++) {
            String domain = in.readString();
            long t = in.readLong();
            if (t > 0) {
                trimmed.put(domain, t);
            }
            int n = in.readInt();
            if (n > capacityPerDomain) {
                throw new java.io.IOException("the checkpoint holds " + n + " insights of domain " + domain
                        + " but coordinator.memoryPerDomain is " + capacityPerDomain);
            }
            Deque<Insight> q = new ArrayDeque<>();
            for (int i = 0; i < n; i++) {
                try {
                    q.addLast(InsightCodec.decode(in.readString()));
                } catch (RuntimeException e) {
                    throw new java.io.IOException("corrupt insight in checkpoint: " + e.getMessage(), e);
                }
            }
            byDomain.put(domain, q);
        }
    }

    @Override
    public synchronized long accepted() {
        return accepted;
    }

    @Override
    public synchronized Map<String, Long> trimmed() {
        return new TreeMap<>(trimmed);
    }

    @Override
    public void close() {
        // nothing held
    }

    @Override
    public String toString() {
        return "memory";
    }
}
