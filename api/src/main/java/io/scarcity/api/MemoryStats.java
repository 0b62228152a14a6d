package io.scarcity.api;

import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * How full a memory is: rows (or entries) per tier and an estimate of the bytes held.
 */
public record MemoryStats(Map<String, Integer> tierSizes, long bytes) {
    public MemoryStats {
        tierSizes = java.util.Collections.unmodifiableMap(new TreeMap<>(Objects.requireNonNull(tierSizes, "tierSizes is null")));
    }

    public int totalEntries() {
        return tierSizes.values().stream().mapToInt(Integer::intValue).sum();
    }
}
