package io.scarcity.plugins.causal;

import java.util.Arrays;

/**
 * The PC search (Spirtes, Glymour and Scheines) in its order-independent "stable" form (Colombo and
 * Maathuis 2014), as Kalisch and Bühlmann (2007) run it on Gaussian data with partial-correlation tests.
 *
 * <p>Skeleton: start from the complete graph; for {@code l = 0, 1, ..., maxConditioningSet}, freeze every
 * node's neighbours, then for every still adjacent pair {@code (i, j)} try each set {@code S} of
 * {@code l} frozen neighbours of {@code i} other than {@code j} (in lexicographic order) and remove the
 * edge at the first {@code S} with {@code i} independent of {@code j} given {@code S}, keeping {@code S}
 * as the pair's separating set; stop when no pair has enough neighbours left. Orientation: an unshielded
 * triple {@code i - k - j} is a collider iff {@code k} is not in the separating set of {@code (i, j)}; then
 * Meek's rules ({@link Cpdag#orient}).
 *
 * <p>Warm start (optional): before level 0, each pair separated by the previous search is tested once
 * given its old separating set and removed at once if still independent; the levels then proceed on the
 * rest. When the graph has not changed this saves most of the tests; the result can differ from a cold
 * search only in which of several valid separating sets a pair keeps.
 */
final class PcSearch {
    private final int n;
    private final int maxConditioningSet;
    private final IndependenceTest test;
    private final int[] subset;
    private final int[] positions;

    PcSearch(int nodes, int maxConditioningSet, IndependenceTest test) {
        this.n = nodes;
        this.maxConditioningSet = maxConditioningSet;
        this.test = test;
        this.subset = new int[Math.max(1, nodes)];
        this.positions = new int[Math.max(1, nodes)];
    }

    /** The result: the CPDAG and the separating set of every non-adjacent pair ({@code null} for adjacent ones). */
    record Result(Cpdag graph, int[][] separatingSets) {
    }

    /**
     * Runs the search on the test's current statistics.
     *
     * @param previous separating sets of the previous search ({@code n x n}, {@code null} entries for
     *        adjacent pairs) to warm-start from, or {@code null} for a cold start
     */
    Result run(int[][] previous) {
        boolean[] adj = new boolean[n * n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                adj[i * n + j] = i != j;
            }
        }
        int[][] sepsets = new int[n * n][];
        if (previous != null) {
            for (int i = 0; i < n; i++) {
                for (int j = i + 1; j < n; j++) {
                    int[] s = previous[i * n + j];
                    if (s != null && s.length <= maxConditioningSet && test.independent(i, j, s, s.length)) {
                        separate(adj, sepsets, i, j, s);
                    }
                }
            }
        }
        int[][] frozen = new int[n][];
        int[] frozenSize = new int[n];
        for (int level = 0; level <= maxConditioningSet; level++) {
            for (int i = 0; i < n; i++) {
                int[] nb = new int[n];
                int size = 0;
                for (int j = 0; j < n; j++) {
                    if (adj[i * n + j]) {
                        nb[size++] = j;
                    }
                }
                frozen[i] = nb;
                frozenSize[i] = size;
            }
            boolean anyTested = false;
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < n; j++) {
                    if (i == j || !adj[i * n + j] || frozenSize[i] - 1 < level) {
                        continue;
                    }
                    anyTested = true;
                    if (separatedGiven(i, j, level, frozen[i], frozenSize[i])) {
                        separate(adj, sepsets, i, j, Arrays.copyOf(subset, level));
                    }
                }
            }
            if (!anyTested) {
                break;
            }
        }
        Cpdag graph = Cpdag.orient(n, adj, (i, k, j) -> !contains(sepsets[i * n + j], k));
        return new Result(graph, sepsets);
    }

    private void separate(boolean[] adj, int[][] sepsets, int i, int j, int[] s) {
        adj[i * n + j] = false;
        adj[j * n + i] = false;
        sepsets[i * n + j] = s;
        sepsets[j * n + i] = s;
    }

    /**
     * Tries every {@code level}-subset of {@code candidates} without {@code j}; leaves the separating one
     * in the first {@code level} entries of {@link #subset}.
     */
    private boolean separatedGiven(int i, int j, int level, int[] candidates, int size) {
        int m = 0;
        int[] pool = positions;
        for (int k = 0; k < size; k++) {
            if (candidates[k] != j) {
                pool[m++] = candidates[k];
            }
        }
        if (m < level) {
            return false;
        }
        int[] idx = new int[level];
        for (int k = 0; k < level; k++) {
            idx[k] = k;
        }
        while (true) {
            for (int k = 0; k < level; k++) {
                subset[k] = pool[idx[k]];
            }
            if (test.independent(i, j, subset, level)) {
                return true;
            }
            // next combination in lexicographic order
            int k = level - 1;
            while (k >= 0 && idx[k] == m - level + k) {
                k--;
            }
            if (k < 0) {
                return false;
            }
            idx[k]++;
            for (int x = k + 1; x < level; x++) {
                idx[x] = idx[x - 1] + 1;
            }
        }
    }

    private static boolean contains(int[] set, int k) {
        if (set == null) {
            return false;
        }
        for (int v : set) {
            if (v == k) {
                return true;
            }
        }
        return false;
    }
}
