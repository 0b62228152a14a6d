package io.scarcity.runtime.coordinator;

import io.scarcity.api.Insight;
import io.scarcity.api.InsightStore;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The coordinator's memory of insights: bounded per domain (the oldest are trimmed and counted), safe
 * under concurrent writers. In memory for now; a JDBC-backed store replaces it behind the same
 * {@link InsightStore} view.
 */
public final class GlobalMemory implements InsightStore {
    private final int capacityPerDomain;
    private final Map<String, Deque<Insight>> byDomain = new TreeMap<>();
    private final Map<String, Long> trimmed = new TreeMap<>();
    private long accepted;

    public GlobalMemory(int capacityPerDomain) {
        if (capacityPerDomain < 1) {
            throw new IllegalArgumentException("capacityPerDomain must be >= 1, got " + capacityPerDomain);
        }
        this.capacityPerDomain = capacityPerDomain;
    }

    /** Stores an insight, trimming its domain's oldest if full. */
    public synchronized void add(Insight insight) {
        Deque<Insight> q = byDomain.computeIfAbsent(insight.domain(), d -> new ArrayDeque<>());
        q.addLast(insight);
        accepted++;
        while (q.size() > capacityPerDomain) {
            q.removeFirst();
            trimmed.merge(insight.domain(), 1L, Long::sum);
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
        java.util.Collections.reverse(out);
        return out;
    }

    @Override
    public synchronized int size(String domain) {
        Deque<Insight> q = byDomain.get(domain);
        return q == null ? 0 : q.size();
    }

    /** Insights accepted since start. */
    public synchronized long accepted() {
        return accepted;
    }

    /** Insights trimmed per domain because the domain was full. */
    public synchronized Map<String, Long> trimmed() {
        return new TreeMap<>(trimmed);
    }
}
