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
final class InMemoryInsightTable implements InsightTable {
    private final int capacityPerDomain;
    private final byte[] salt = ClientPseudonyms.newSalt();
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
        Deque<Insight> q = byDomain.get(domain);
        if (q == null || max <= 0) {
            return List.of();
        }
        List<Insight> out = new ArrayList<>(Math.min(max, q.size()));
        Iterator<Insight> it = q.descendingIterator();
        while (it.hasNext() && out.size() < max) {
            out.add(it.next());
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
