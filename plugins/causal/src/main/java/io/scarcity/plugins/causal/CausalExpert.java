package io.scarcity.plugins.causal;

import io.scarcity.api.Batch;
import io.scarcity.api.BatchOutcome;
import io.scarcity.api.Checkpointable;
import io.scarcity.api.DataSchema;
import io.scarcity.api.Expert;
import io.scarcity.api.ExpertCapabilities;
import io.scarcity.api.ExpertState;
import io.scarcity.api.MetricsSink;
import io.scarcity.api.Prediction;
import io.scarcity.api.SignalBoard;
import io.scarcity.api.StandardSignals;
import io.scarcity.api.StateReader;
import io.scarcity.api.StateWriter;
import io.scarcity.api.Task;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;

/**
 * The causal expert: online structure discovery over the features and the target, and predictions from
 * the target's Markov blanket.
 *
 * <p><b>Nodes.</b> One per feature, plus the target: a regression target is one column, a class label
 * a block of {@code K - 1} indicator columns (classes {@code 1..K-1}; for two classes that is the 0/1
 * label itself). Keeping a multi-class label as one node keeps the graph's meaning (an edge to "the
 * class") and lets the blanket be read off the graph as for any node; its tests against a feature are
 * likelihood-ratio tests of the partial multiple correlation with the block ({@link IndependenceTest}).
 *
 * <p><b>Statistics.</b> A {@link RunningCovariance} of the columns, exponentially weighted per row at
 * {@code learningRate} (0: cumulative), row weights respected. Only labelled rows are learned: an
 * unlabelled row would leave the target's columns undefined and bias the joint covariance. On a stream without
 * labels ({@link Task#UNLABELLED}) there is no target node: every row is learned and the graph is among the
 * features alone (the blanket stays empty). Replayed rows
 * are ignored too (they would count old rows twice and overstate the effective sample size).
 *
 * <p><b>Search.</b> {@link PcSearch} (PC-stable, Fisher z at {@code alpha}, conditioning sets up to
 * {@code maxConditioningSet}, v-structures by the majority rule or the plain one, Meek's rules) on the correlation matrix and the effective
 * number of rows, re-run after every {@code every} labelled batches once at least {@code minSamples}
 * effective rows are in, and at once when {@code drift.detected >= 1}: then the statistics first forget
 * {@code driftForget} of their weight, so that the rows after the change count for more.
 *
 * <p><b>Signals</b>, on every {@link #learn}: {@code causal.edges} (adjacent pairs),
 * {@code causal.structural-change} (structural Hamming distance between the graph after this batch and
 * the one after the previous batch, over the {@code nodes (nodes - 1) / 2} pairs: 0 between searches),
 * {@code causal.blanket-size} (features in the target's blanket). The metrics sink gets the same gauges,
 * {@code causal.directed-edges}, {@code causal.effective-rows}, one gauge {@code causal.edge.A->B} or
 * {@code causal.edge.A--B} (value 1) per edge of the graph, and counters {@code causal.searches},
 * {@code causal.tests}.
 *
 * <p><b>Predictions</b>: {@link BlanketModel} on the blanket, fitted from the covariance when it is
 * needed (regression: ridge least squares; classification: LDA); the prior before any blanket is found.
 *
 * <p><b>Gossip</b> arrays: {@code mean} and {@code second} (the weighted first and second moments of the
 * columns: their sample-weighted averages over peers are the pooled mixture's moments, from which the
 * merged covariance follows exactly), {@code weights} ({@code [W, W2]}, the decayed sums of the row
 * weights and their squares: averaged, the effective sample size stays on one client's scale, which is
 * conservative for tests on pooled rows of possibly different streams), and {@code adjacency} (the CPDAG's
 * mark matrix; averaged it is the share of peers with each mark, for monitoring only). A merge adopts the
 * pooled moments and re-runs the search on them: a graph is not averaged.
 */
final class CausalExpert implements Expert, Checkpointable {
    static final String EDGES = "causal.edges";
    static final String STRUCTURAL_CHANGE = "causal.structural-change";
    static final String BLANKET_SIZE = "causal.blanket-size";
    private static final ExpertCapabilities CAPABILITIES = new ExpertCapabilities(true, true,
            Set.of(StandardSignals.DRIFT_DETECTED), Set.of(EDGES, STRUCTURAL_CHANGE, BLANKET_SIZE), true);
    /** Format of {@link #saveState}; 2 left the options out. */
    static final int STATE_VERSION = 2;
    private static final String COMPONENT = "causal expert";

    private final Options options;
    private final MetricsSink metrics;
    private final int d;
    private final int nodes;
    /** The target's node ({@code numFeatures}), or -1 on a stream without labels. */
    private final int target;
    /** Whether the stream has labels: without, there is no target node and every row is learned. */
    private final boolean labelledStream;
    private final int classes;
    private final int columnCount;
    private final List<String> nodeNames;
    private final RunningCovariance covariance;
    private final IndependenceTest test;
    private final PcSearch search;
    private final BlanketModel model;
    private final double[] row;
    private final double[] correlation;
    private final double decay;

    private Cpdag graph;
    private Cpdag published;
    private int[][] separatingSets;
    private int[] blanket = new int[0];
    private List<String> edgeMetricNames = List.of();
    private boolean modelStale = true;
    private int batchesSinceSearch;
    private long samples;
    /** Diagnostic only (not checkpointed): rows skipped for a non-finite value since this instance started. */
    private long nonFinite;
    private long searches;
    private long tests;

    CausalExpert(Options options, DataSchema schema, MetricsSink metrics) {
        this.options = Objects.requireNonNull(options, "options is null");
        Objects.requireNonNull(schema, "schema is null");
        this.metrics = Objects.requireNonNull(metrics, "metrics is null");
        this.d = schema.numFeatures();
        // a stream without labels has no target node: the graph is among the features alone
        this.labelledStream = schema.labelled();
        this.nodes = labelledStream ? d + 1 : d;
        this.target = labelledStream ? d : -1;
        this.classes = schema.task() == Task.CLASSIFICATION ? schema.numClasses() : 0;
        int targetColumns = !labelledStream ? 0 : classes == 0 ? 1 : classes - 1;
        this.columnCount = d + targetColumns;
        int[][] columns = new int[nodes][];
        for (int j = 0; j < d; j++) {
            columns[j] = new int[] {j};
        }
        if (labelledStream) {
            columns[target] = new int[targetColumns];
            for (int c = 0; c < targetColumns; c++) {
                columns[target][c] = d + c;
            }
        }
        List<String> names = new ArrayList<>(schema.featureNames());
        if (labelledStream) {
            names.add(classes == 0 ? "target" : "class");
        }
        this.nodeNames = List.copyOf(names);
        this.covariance = new RunningCovariance(columnCount);
        this.test = new IndependenceTest(columns, options.alpha(), options.maxConditioningSet());
        this.search = new PcSearch(nodes, options.maxConditioningSet(), test, options.orientation().equals("majority"));
        this.model = new BlanketModel(d, classes, options.ridge());
        this.row = new double[columnCount];
        this.correlation = new double[columnCount * columnCount];
        this.decay = 1 - options.learningRate();
        this.graph = Cpdag.empty(nodes);
        this.published = graph;
        this.separatingSets = new int[nodes * nodes][];
    }

    @Override
    public ExpertCapabilities capabilities() {
        return CAPABILITIES;
    }

    @Override
    public Prediction predict(Batch batch, SignalBoard signals) {
        Objects.requireNonNull(batch, "batch is null");
        checkShape(batch);
        if (modelStale) {
            model.fit(covariance, blanket);
            modelStale = false;
        }
        return model.predict(batch);
    }

    @Override
    public void learn(Batch batch, BatchOutcome outcome, SignalBoard signals) {
        Objects.requireNonNull(batch, "batch is null");
        Objects.requireNonNull(outcome, "outcome is null");
        Objects.requireNonNull(signals, "signals is null");
        checkShape(batch);
        boolean drift = signals.get(StandardSignals.DRIFT_DETECTED, 0.0) >= 1.0;
        if ((batch.hasLabels() || !labelledStream) && batch.rows() > 0) {
            if (drift && options.driftForget() > 0) {
                covariance.discount(options.driftForget());
            }
            absorb(batch);
            batchesSinceSearch++;
            modelStale = true;
            if ((drift || batchesSinceSearch >= options.every()) && covariance.effectiveRows() >= options.minSamples()) {
                search();
            }
        }
        publish(signals);
    }

    private void absorb(Batch batch) {
        int rows = batch.rows();
        double[] x = row;
        for (int r = 0; r < rows; r++) {
            double w = batch.weight(r);
            if (w <= 0) {
                continue;
            }
            batch.copyRow(r, x);
            if (!labelledStream) {
                // the features alone
            } else if (classes == 0) {
                x[d] = batch.target(r);
            } else {
                int y = batch.label(r);
                for (int c = 1; c < classes; c++) {
                    x[d + c - 1] = y == c ? 1.0 : 0.0;
                }
            }
            if (!finite(x)) {
                // One NaN would poison the running covariance, and every test and prediction after it, for good.
                nonFinite++;
                metrics.count("causal.non-finite-rows", 1);
                continue;
            }
            covariance.add(x, w, decay);
        }
        covariance.settle();
        samples += rows;
    }

    private static boolean finite(double[] x) {
        for (double v : x) {
            if (!Double.isFinite(v)) {
                return false;
            }
        }
        return true;
    }

    /** Rows skipped because a feature or the target was not finite (NaN or infinite). */
    long nonFiniteRows() {
        return nonFinite;
    }

    /** Re-runs the PC search on the current statistics. */
    private void search() {
        covariance.correlation(correlation);
        test.reset(correlation, covariance.effectiveRows());
        long before = test.count();
        PcSearch.Result result = search.run(options.warmStart() ? separatingSets : null);
        long ran = test.count() - before;
        tests += ran;
        searches++;
        batchesSinceSearch = 0;
        adopt(result.graph(), result.separatingSets());
        metrics.count("causal.searches", 1);
        metrics.count("causal.tests", ran);
    }

    private void adopt(Cpdag newGraph, int[][] newSeparatingSets) {
        graph = newGraph;
        separatingSets = newSeparatingSets;
        int[] mb = target < 0 ? new int[0] : graph.markovBlanket(target);
        blanket = mb;
        modelStale = true;
        List<String> names = new ArrayList<>();
        for (int i = 0; i < nodes; i++) {
            for (int j = i + 1; j < nodes; j++) {
                if (graph.undirected(i, j)) {
                    names.add("causal.edge." + nodeNames.get(i) + "--" + nodeNames.get(j));
                } else if (graph.directed(i, j)) {
                    names.add("causal.edge." + nodeNames.get(i) + "->" + nodeNames.get(j));
                } else if (graph.directed(j, i)) {
                    names.add("causal.edge." + nodeNames.get(j) + "->" + nodeNames.get(i));
                }
            }
        }
        edgeMetricNames = List.copyOf(names);
    }

    private void publish(SignalBoard signals) {
        double change = (double) graph.structuralHammingDistance(published) / Math.max(1, nodes * (nodes - 1) / 2);
        published = graph;
        int edges = graph.edges();
        signals.publish(EDGES, edges);
        signals.publish(STRUCTURAL_CHANGE, change);
        signals.publish(BLANKET_SIZE, blanket.length);
        metrics.gauge(EDGES, edges);
        metrics.gauge(STRUCTURAL_CHANGE, change);
        metrics.gauge(BLANKET_SIZE, blanket.length);
        metrics.gauge("causal.directed-edges", graph.directedEdges());
        metrics.gauge("causal.effective-rows", covariance.effectiveRows());
        for (String name : edgeMetricNames) {
            metrics.gauge(name, 1.0);
        }
    }

    private void checkShape(Batch batch) {
        if (batch.numFeatures() != d) {
            throw new IllegalArgumentException("batch has " + batch.numFeatures() + " features, expected " + d);
        }
    }

    /** The per-row forgetting rate; coordinator hints are not taken, as the rate sets the tests' sample size. */
    @Override
    public double learningRate() {
        return options.learningRate();
    }

    // ---------------------------------------------------------------- gossip

    @Override
    public ExpertState exportState() {
        Map<String, double[]> w = new TreeMap<>();
        w.put("mean", covariance.means());
        w.put("second", covariance.secondMoments());
        w.put("weights", covariance.weights());
        w.put("adjacency", graph.adjacency());
        return new ExpertState("causal", w, samples);
    }

    /**
     * Adopts the pooled moments (all arrays checked first) and re-runs the search on them; its own moments
     * back (up to a merge law's rounding) change nothing.
     */
    @Override
    public void mergeState(ExpertState merged) {
        Objects.requireNonNull(merged, "merged is null");
        double[] mean = merged.requireWeight("mean", columnCount);
        double[] second = merged.requireWeight("second", columnCount * columnCount);
        double[] weights = merged.requireWeight("weights", 2);
        merged.requireWeight("adjacency", nodes * nodes);
        if (sameUpToRounding(mean, covariance.means()) && sameUpToRounding(second, covariance.secondMoments())
                && sameUpToRounding(weights, covariance.weights())) {
            // Its own moments back (a self-merge, or peers that saw the same rows): nothing to learn, and a new
            // search on the same evidence would only move the graph it already has.
            samples = merged.samples();
            return;
        }
        covariance.set(mean, second, weights);
        samples = merged.samples();
        modelStale = true;
        if (covariance.effectiveRows() >= options.minSamples()) {
            search();
            batchesSinceSearch = 0;
        }
    }

    /** Equal but for the rounding of a merge law's weighted average (relative 1e-12 of the larger value). */
    private static boolean sameUpToRounding(double[] a, double[] b) {
        for (int i = 0; i < a.length; i++) {
            if (!(Math.abs(a[i] - b[i]) <= 1e-12 * Math.max(Math.abs(a[i]), Math.abs(b[i])))) {
                return false;
            }
        }
        return true;
    }

    // ---------------------------------------------------------------- checkpoints

    @Override
    public void saveState(StateWriter out) throws IOException {
        out.writeVersion(STATE_VERSION);
        out.writeInt(d);
        out.writeInt(classes);
        covariance.save(out);
        out.writeDoubles(graph.adjacency());
        out.writeDoubles(published.adjacency());
        for (int i = 0; i < nodes; i++) {
            for (int j = i + 1; j < nodes; j++) {
                out.writeInts(separatingSets[i * nodes + j]);
            }
        }
        out.writeInt(batchesSinceSearch);
        out.writeLong(samples);
        out.writeLong(searches);
        out.writeLong(tests);
    }

    @Override
    public void restoreState(StateReader in) throws IOException {
        in.readVersion(COMPONENT, STATE_VERSION);
        int f = in.readInt();
        int c = in.readInt();
        if (f != d || c != classes) {
            throw new IOException(COMPONENT + " checkpoint is of " + f + " features and " + c
                    + " classes, but this run's stream has " + d + " features and " + classes + " classes");
        }
        covariance.restore(in);
        Cpdag g = Cpdag.fromAdjacency(nodes, in.readDoubles(nodes * nodes, "graph (nodes x nodes)"));
        Cpdag p = Cpdag.fromAdjacency(nodes, in.readDoubles(nodes * nodes, "published graph (nodes x nodes)"));
        int[][] sets = new int[nodes * nodes][];
        for (int i = 0; i < nodes; i++) {
            for (int j = i + 1; j < nodes; j++) {
                int[] s = in.readInts();
                if (s != null) {
                    for (int v : s) {
                        if (v < 0 || v >= nodes || v == i || v == j) {
                            throw new IOException(COMPONENT + " checkpoint: invalid separating set of nodes " + i + ", " + j);
                        }
                    }
                }
                sets[i * nodes + j] = s;
                sets[j * nodes + i] = s;
            }
        }
        int since = in.readInt();
        long newSamples = in.readLong();
        long newSearches = in.readLong();
        long newTests = in.readLong();
        if (since < 0 || newSamples < 0 || newSearches < 0 || newTests < 0) {
            throw new IOException(COMPONENT + " checkpoint: invalid counters " + since + ", " + newSamples + ", "
                    + newSearches + ", " + newTests);
        }
        adopt(g, sets);
        published = p;
        batchesSinceSearch = since;
        samples = newSamples;
        searches = newSearches;
        tests = newTests;
    }

    // ---------------------------------------------------------------- for tests and benchmarks

    /** The current graph over the features and the target (node {@code numFeatures}). */
    Cpdag graph() {
        return graph;
    }

    /** Features in the target's Markov blanket, sorted. */
    int[] blanket() {
        return blanket.clone();
    }

    List<String> nodeNames() {
        return nodeNames;
    }

    int[] separatingSet(int i, int j) {
        return separatingSets[i * nodes + j];
    }

    long searches() {
        return searches;
    }

    long tests() {
        return tests;
    }

    double effectiveRows() {
        return covariance.effectiveRows();
    }
}
