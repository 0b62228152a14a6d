package io.scarcity.plugins.insight;

import io.scarcity.api.Insight;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The insight meta-learner's history: per domain (in name order) the {@code window} most recent insights,
 * oldest first. It is updated from each round's insights; the coordinator's store is not re-read (see
 * "History" in {@link InsightMetaLearner}).
 */
final class DomainWindows {
    private final int window;
    private final Map<String, ArrayDeque<Insight>> windows = new TreeMap<>();

    DomainWindows(int window) {
        this.window = window;
    }

    /** Appends the insights to their domains' windows, dropping the oldest beyond {@code window}; returns those domains. */
    Set<String> append(List<Insight> insights) {
        Set<String> domains = new TreeSet<>();
        for (Insight insight : insights) {
            Objects.requireNonNull(insight, "insight is null");
            domains.add(insight.domain());
            ArrayDeque<Insight> recent = windows.computeIfAbsent(insight.domain(), d -> new ArrayDeque<>());
            recent.addLast(insight);
            if (recent.size() > window) {
                recent.removeFirst();
            }
        }
        return domains;
    }

    /** A copy of a known domain's window, oldest first. */
    List<Insight> of(String domain) {
        return List.copyOf(windows.get(domain));
    }

    /** Every domain's window, one after the other in domain order. */
    List<Insight> union() {
        List<Insight> union = new ArrayList<>();
        for (ArrayDeque<Insight> recent : windows.values()) {
            union.addAll(recent);
        }
        return union;
    }

    /** The windows of the domains whose losses are all in [0, 1], one after the other in domain order. */
    List<Insight> unionOfUnitLosses() {
        List<Insight> union = new ArrayList<>();
        for (ArrayDeque<Insight> recent : windows.values()) {
            List<Insight> w = List.copyOf(recent);
            if (ParameterEstimator.unitLosses(w)) {
                union.addAll(w);
            }
        }
        return union;
    }

    /** The windows by domain (live; for the checkpoint, do not modify). */
    Map<String, ArrayDeque<Insight>> byDomain() {
        return windows;
    }

    /** Replaces every window by the restored ones (each checked to hold at most {@code window} insights). */
    void replaceWith(Map<String, ArrayDeque<Insight>> restored) {
        windows.clear();
        windows.putAll(restored);
    }
}
