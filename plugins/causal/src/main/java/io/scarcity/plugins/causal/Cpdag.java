package io.scarcity.plugins.causal;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * A completed partially directed acyclic graph: the Markov equivalence class of DAGs that a PC search
 * identifies, with directed edges where every DAG of the class agrees and undirected ones elsewhere.
 * Immutable.
 *
 * <p>Stored as an {@code n x n} mark matrix, the usual CPDAG adjacency encoding: {@code a[i][j] = 1} and
 * {@code a[j][i] = 0} for {@code i -> j}, both 1 for {@code i - j}, both 0 for no edge. That is what
 * {@link #adjacency()} returns and the causal expert exports as its {@code adjacency} array.
 *
 * <p>Orientation ({@link #orient}): every unshielded triple {@code i - k - j} ({@code i}, {@code j} not
 * adjacent) that the rule calls a collider becomes {@code i -> k <- j} (an edge already directed the
 * other way by an earlier collider is left as it is); then Meek's (1995) rules R1-R3 are applied until
 * none fires (R4 is only needed with background knowledge):
 * R1 {@code a -> b - c}, a and c not adjacent: {@code b -> c};
 * R2 {@code a -> b -> c} and {@code a - c}: {@code a -> c};
 * R3 {@code a - c -> b}, {@code a - d -> b}, {@code a - b}, c and d not adjacent: {@code a -> b}.
 */
public final class Cpdag {
    private final int n;
    private final boolean[] mark;

    private Cpdag(int n, boolean[] mark) {
        this.n = n;
        this.mark = mark;
    }

    /** A graph without edges on {@code nodes} nodes. */
    public static Cpdag empty(int nodes) {
        return new Cpdag(nodes, new boolean[nodes * nodes]);
    }

    /**
     * The CPDAG of a DAG: its skeleton, its v-structures and what Meek's rules add.
     *
     * @param nodes the number of nodes
     * @param dag {@code nodes x nodes}, row-major: {@code dag[i * nodes + j]} for an edge {@code i -> j}; acyclic
     */
    public static Cpdag fromDag(int nodes, boolean[] dag) {
        Objects.requireNonNull(dag, "dag is null");
        if (dag.length != nodes * nodes) {
            throw new IllegalArgumentException("dag has " + dag.length + " entries for " + nodes + " nodes");
        }
        boolean[] skeleton = new boolean[nodes * nodes];
        for (int i = 0; i < nodes; i++) {
            for (int j = 0; j < nodes; j++) {
                if (dag[i * nodes + j]) {
                    if (i == j || dag[j * nodes + i]) {
                        throw new IllegalArgumentException("not a DAG: edge " + i + " -> " + j);
                    }
                    skeleton[i * nodes + j] = true;
                    skeleton[j * nodes + i] = true;
                }
            }
        }
        return orient(nodes, skeleton, (i, k, j) -> dag[i * nodes + k] && dag[j * nodes + k]);
    }

    /** From the encoding of {@link #adjacency()}: a value above 0.5 is a mark. */
    public static Cpdag fromAdjacency(int nodes, double[] adjacency) {
        Objects.requireNonNull(adjacency, "adjacency is null");
        if (adjacency.length != nodes * nodes) {
            throw new IllegalArgumentException("adjacency has " + adjacency.length + " entries for " + nodes + " nodes");
        }
        boolean[] m = new boolean[nodes * nodes];
        for (int i = 0; i < nodes; i++) {
            for (int j = 0; j < nodes; j++) {
                m[i * nodes + j] = i != j && adjacency[i * nodes + j] > 0.5;
            }
        }
        return new Cpdag(nodes, m);
    }

    /** Decides whether the unshielded triple {@code i - k - j} is a collider {@code i -> k <- j}. */
    @FunctionalInterface
    interface ColliderRule {
        boolean isCollider(int i, int k, int j);
    }

    /** Orients a skeleton (symmetric {@code n x n}): colliders by the rule, then Meek's rules. */
    static Cpdag orient(int n, boolean[] skeleton, ColliderRule rule) {
        boolean[] a = skeleton.clone();
        for (int k = 0; k < n; k++) {
            for (int i = 0; i < n; i++) {
                if (i == k || !skeleton[i * n + k]) {
                    continue;
                }
                for (int j = i + 1; j < n; j++) {
                    if (j == k || !skeleton[j * n + k] || skeleton[i * n + j]) {
                        continue;
                    }
                    if (rule.isCollider(i, k, j)) {
                        // i -> k unless k -> i was already decided, likewise j -> k
                        if (a[i * n + k]) {
                            a[k * n + i] = false;
                        }
                        if (a[j * n + k]) {
                            a[k * n + j] = false;
                        }
                    }
                }
            }
        }
        applyMeek(n, a);
        return new Cpdag(n, a);
    }

    private static void applyMeek(int n, boolean[] a) {
        boolean changed = true;
        while (changed) {
            changed = false;
            for (int b = 0; b < n; b++) {
                for (int c = 0; c < n; c++) {
                    if (b == c || !a[b * n + c] || !a[c * n + b]) {
                        continue; // only undirected b - c can be oriented b -> c
                    }
                    if (r1(n, a, b, c) || r2(n, a, b, c) || r3(n, a, b, c)) {
                        a[c * n + b] = false;
                        changed = true;
                    }
                }
            }
        }
    }

    private static boolean directed(int n, boolean[] a, int i, int j) {
        return a[i * n + j] && !a[j * n + i];
    }

    private static boolean undirected(int n, boolean[] a, int i, int j) {
        return a[i * n + j] && a[j * n + i];
    }

    private static boolean adjacent(int n, boolean[] a, int i, int j) {
        return a[i * n + j] || a[j * n + i];
    }

    /** R1: some x -> b with x not adjacent to c. */
    private static boolean r1(int n, boolean[] a, int b, int c) {
        for (int x = 0; x < n; x++) {
            if (x != c && directed(n, a, x, b) && !adjacent(n, a, x, c)) {
                return true;
            }
        }
        return false;
    }

    /** R2 for b - c: some b -> x -> c. */
    private static boolean r2(int n, boolean[] a, int b, int c) {
        for (int x = 0; x < n; x++) {
            if (x != b && x != c && directed(n, a, b, x) && directed(n, a, x, c)) {
                return true;
            }
        }
        return false;
    }

    /** R3 for b - c: two non-adjacent x, y with b - x -> c and b - y -> c. */
    private static boolean r3(int n, boolean[] a, int b, int c) {
        for (int x = 0; x < n; x++) {
            if (x == b || x == c || !undirected(n, a, b, x) || !directed(n, a, x, c)) {
                continue;
            }
            for (int y = x + 1; y < n; y++) {
                if (y != b && y != c && undirected(n, a, b, y) && directed(n, a, y, c) && !adjacent(n, a, x, y)) {
                    return true;
                }
            }
        }
        return false;
    }

    public int nodes() {
        return n;
    }

    public boolean adjacent(int i, int j) {
        return adjacent(n, mark, i, j);
    }

    /** Whether the graph has {@code i -> j}. */
    public boolean directed(int i, int j) {
        return directed(n, mark, i, j);
    }

    /** Whether the graph has {@code i - j}. */
    public boolean undirected(int i, int j) {
        return undirected(n, mark, i, j);
    }

    /** Number of adjacent pairs. */
    public int edges() {
        int e = 0;
        for (int i = 0; i < n; i++) {
            for (int j = i + 1; j < n; j++) {
                e += adjacent(i, j) ? 1 : 0;
            }
        }
        return e;
    }

    /** Number of directed edges. */
    public int directedEdges() {
        int e = 0;
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                e += i != j && directed(i, j) ? 1 : 0;
            }
        }
        return e;
    }

    /** The mark matrix, {@code n x n} row-major, 0 or 1 (see the class comment). */
    public double[] adjacency() {
        double[] out = new double[n * n];
        for (int i = 0; i < n * n; i++) {
            out[i] = mark[i] ? 1.0 : 0.0;
        }
        return out;
    }

    /** The symmetric skeleton, {@code n x n}. */
    boolean[] skeleton() {
        boolean[] s = new boolean[n * n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                s[i * n + j] = adjacent(i, j);
            }
        }
        return s;
    }

    /**
     * The structural Hamming distance: the number of node pairs whose edge differs (missing, extra, or
     * with another orientation), each pair counted once.
     */
    public int structuralHammingDistance(Cpdag other) {
        Objects.requireNonNull(other, "other is null");
        if (other.n != n) {
            throw new IllegalArgumentException("graphs of " + n + " and " + other.n + " nodes");
        }
        int d = 0;
        for (int i = 0; i < n; i++) {
            for (int j = i + 1; j < n; j++) {
                if (mark[i * n + j] != other.mark[i * n + j] || mark[j * n + i] != other.mark[j * n + i]) {
                    d++;
                }
            }
        }
        return d;
    }

    /**
     * The Markov blanket of node {@code t} as far as the CPDAG shows it, sorted: its neighbours (parents,
     * children and undirected neighbours) and the other parents of its children ({@code t -> c <- x}).
     * An undirected neighbour's other parents need not be added: {@code x -> c - t} with {@code x} not
     * adjacent to {@code t} would have been oriented {@code c -> t} by R1, and a collider at {@code c}
     * would have been oriented.
     */
    public int[] markovBlanket(int t) {
        boolean[] in = new boolean[n];
        for (int c = 0; c < n; c++) {
            if (c == t || !adjacent(t, c)) {
                continue;
            }
            in[c] = true;
            if (directed(t, c)) {
                for (int x = 0; x < n; x++) {
                    if (x != t && directed(x, c)) {
                        in[x] = true;
                    }
                }
            }
        }
        int[] out = new int[n];
        int size = 0;
        for (int x = 0; x < n; x++) {
            if (in[x]) {
                out[size++] = x;
            }
        }
        return Arrays.copyOf(out, size);
    }

    /** The edges as text, e.g. {@code [a -> b, b - c]}, with the given node names. */
    public String describe(List<String> names) {
        List<String> edges = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            for (int j = i + 1; j < n; j++) {
                if (undirected(i, j)) {
                    edges.add(names.get(i) + " - " + names.get(j));
                } else if (directed(i, j)) {
                    edges.add(names.get(i) + " -> " + names.get(j));
                } else if (directed(j, i)) {
                    edges.add(names.get(j) + " -> " + names.get(i));
                }
            }
        }
        return edges.toString();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Cpdag c && c.n == n && Arrays.equals(c.mark, mark);
    }

    @Override
    public int hashCode() {
        return 31 * n + Arrays.hashCode(mark);
    }

    @Override
    public String toString() {
        List<String> names = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            names.add(String.valueOf(i));
        }
        return "Cpdag" + describe(names);
    }
}
