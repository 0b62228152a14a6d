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
 * <p>Orientation by the majority rule (optional, Colombo and Maathuis 2014, after Ramsey, Zhang and Spirtes'
 * conservative PC, 2006): a single separating set can be a fluke of a near-cancelling path, and then every
 * collider it implies is wrong and Meek's rules spread the error. So for each non-adjacent pair with an
 * unshielded triple, every subset (up to {@code maxConditioningSet}) of either end's final neighbours is
 * tested; {@code i - k - j} is a collider iff {@code k} is in fewer than half of the separating sets found,
 * and not oriented as one if exactly half (with none found, the search's own separating set decides).
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

    private final boolean majority;

    PcSearch(int nodes, int maxConditioningSet, IndependenceTest test, boolean majority) {
        this.majority = majority;
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
        Cpdag graph;
        if (majority) {
            java.util.Map<Integer, int[]> votes = new java.util.HashMap<>();
            graph = Cpdag.orient(n, adj, (i, k, j) -> {
                // votes of the pair: [separating sets found, of which holding node x for every x]
                int[] v = votes.computeIfAbsent(i * n + j, key -> separatingVotes(adj, i, j));
                int found = v[n];
                if (found == 0) {
                    return !contains(sepsets[i * n + j], k);
                }
                return 2 * v[k] < found;
            });
        } else {
            graph = Cpdag.orient(n, adj, (i, k, j) -> !contains(sepsets[i * n + j], k));
        }
        return new Result(graph, sepsets);
    }

    /**
     * Tests {@code i} against {@code j} given every subset of size up to {@code maxConditioningSet} of
     * {@code i}'s neighbours and of {@code j}'s (a subset of both ends' is tested once); returns per node
     * how many separating sets held it, and at index {@code n} how many were found.
     */
    private int[] separatingVotes(boolean[] adj, int i, int j) {
        int[] votes = new int[n + 1];
        java.util.Set<java.util.List<Integer>> seen = new java.util.HashSet<>();
        for (int end : new int[] {i, j}) {
            int m = 0;
            int[] pool = new int[n];
            for (int x = 0; x < n; x++) {
                if (x != i && x != j && adj[end * n + x]) {
                    pool[m++] = x;
                }
            }
            for (int size = 0; size <= Math.min(maxConditioningSet, m); size++) {
                int[] idx = new int[size];
                for (int k = 0; k < size; k++) {
                    idx[k] = k;
                }
                while (true) {
                    int[] set = new int[size];
                    java.util.List<Integer> key = new java.util.ArrayList<>(size);
                    for (int k = 0; k < size; k++) {
                        set[k] = pool[idx[k]];
                        key.add(set[k]);
                    }
                    if (seen.add(key) && test.independent(i, j, set, size)) {
                        votes[n]++;
                        for (int x : set) {
                            votes[x]++;
                        }
                    }
                    int k = size - 1;
                    while (k >= 0 && idx[k] == m - size + k) {
                        k--;
                    }
                    if (k < 0) {
                        break;
                    }
                    idx[k]++;
                    for (int x = k + 1; x < size; x++) {
                        idx[x] = idx[x - 1] + 1;
                    }
                }
            }
        }
        return votes;
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
