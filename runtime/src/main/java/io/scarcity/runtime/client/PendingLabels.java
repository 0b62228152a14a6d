package io.scarcity.runtime.client;

import io.scarcity.api.Batch;
import io.scarcity.api.Checkpointable;
import io.scarcity.api.DataSchema;
import io.scarcity.api.StateReader;
import io.scarcity.api.StateWriter;
import io.scarcity.api.Task;
import io.scarcity.runtime.config.LabelsConfig;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;

/**
 * A client's labels under {@code domains[i].labels}: which arriving rows keep their label, when it arrives, and the
 * rows waiting for it.
 *
 * <p>Whether row {@code i} of the client's own stream (its {@code i}-th arrival, counted from 0 over the whole run)
 * keeps its label, and its delay, are a pure function of a salt (from the run seed and the client id) and {@code i}:
 * every method of a benchmark, MOA's learners included, gets the same labels at the same times, and nothing about
 * the draw needs saving. A waiting row holds its features, its label and how the client's prediction at arrival
 * scored against it; when the client has seen {@code delay} more rows it is released: scored (delayed progressive
 * validation: the prediction made at arrival, counted when the label comes) and learned from.
 *
 * <p>At most {@code buffer} rows wait; a row arriving when the buffer is full loses its label (counted in
 * {@link #dropped()}). Checkpointed: the rows seen, the dropped count and every waiting row.
 */
final class PendingLabels implements Checkpointable {
    private static final int VERSION = 1;

    /**
     * A row waiting for its label, with how the prediction made at its arrival scored: it arrived as row
     * {@code arrival} of the client's stream, and its label comes once {@code due = arrival + 1 + delay} rows have
     * arrived (after {@code delay} more rows).
     */
    record Waiting(long due, long arrival, double[] features, int label, double target, int predicted, double loss,
                   double logLoss) {
    }

    private final DataSchema schema;
    private final double rate;
    private final LabelsConfig.DelayLaw law;
    private final int buffer;
    private final long salt;
    /** Confidence above which a row whose label never comes is learned with the predicted class; NaN = never. */
    private final double selfTraining;
    private final PriorityQueue<Waiting> waiting = new PriorityQueue<>(
            Comparator.comparingLong(Waiting::due).thenComparingLong(Waiting::arrival));
    private long arrived;
    private long dropped;

    PendingLabels(LabelsConfig config, DataSchema schema, long seed, String clientId) {
        this.schema = schema;
        this.rate = config.rate();
        this.law = config.delayLaw();
        this.buffer = config.buffer();
        this.salt = mix(seed ^ 0x6c6162656c73L, clientId.hashCode());
        this.selfTraining = config.selfTraining() == null ? Double.NaN : config.selfTraining();
    }

    /** The fate of the next arriving row: -1 if its label never arrives, else its delay in rows (0 = with it). */
    long nextDelay() {
        long i = arrived++;
        if (unit(mix(salt, 2 * i)) >= rate) {
            return -1;
        }
        return law.draw(unit(mix(salt, 2 * i + 1)));
    }

    /** The self-training confidence, or NaN when off. */
    double selfTraining() {
        return selfTraining;
    }

    /** Rows the client has seen so far (every arrival, labelled or not). */
    long arrived() {
        return arrived;
    }

    /** Holds a row until its label arrives, or drops its label (counted) when the buffer is full. */
    void hold(Waiting row) {
        if (waiting.size() >= buffer) {
            dropped++;
            return;
        }
        waiting.add(row);
    }

    /** The waiting rows whose label has arrived by now (after {@link #arrived()} rows), in order of arrival time. */
    List<Waiting> released() {
        List<Waiting> out = new ArrayList<>();
        while (!waiting.isEmpty() && waiting.peek().due() <= arrived) {
            out.add(waiting.poll());
        }
        return out;
    }

    /** Rows waiting for their label. */
    int waiting() {
        return waiting.size();
    }

    /** Rows whose label was dropped because the buffer was full. */
    long dropped() {
        return dropped;
    }

    /** Rows whose label has come as one labelled batch (their features and labels, in the order given). */
    static Batch batch(List<Waiting> rows, DataSchema schema, String domain) {
        int d = schema.numFeatures();
        double[] x = new double[rows.size() * d];
        for (int r = 0; r < rows.size(); r++) {
            System.arraycopy(rows.get(r).features(), 0, x, r * d, d);
        }
        long first = rows.isEmpty() ? 0 : rows.get(0).arrival();
        if (schema.task() == Task.CLASSIFICATION) {
            int[] y = new int[rows.size()];
            for (int r = 0; r < y.length; r++) {
                y[r] = rows.get(r).label();
            }
            return Batch.ofClasses(schema, domain, first, x, y);
        }
        double[] t = new double[rows.size()];
        for (int r = 0; r < t.length; r++) {
            t[r] = rows.get(r).target();
        }
        return Batch.ofTargets(schema, domain, first, x, t);
    }

    @Override
    public void saveState(StateWriter out) throws IOException {
        out.writeVersion(VERSION);
        out.writeLong(arrived);
        out.writeLong(dropped);
        List<Waiting> rows = new ArrayList<>(waiting);
        rows.sort(waiting.comparator());
        out.writeInt(rows.size());
        for (Waiting w : rows) {
            out.writeLong(w.due());
            out.writeLong(w.arrival());
            out.writeDoubles(w.features());
            out.writeInt(w.label());
            out.writeDouble(w.target());
            out.writeInt(w.predicted());
            out.writeDouble(w.loss());
            out.writeDouble(w.logLoss());
        }
    }

    @Override
    public void restoreState(StateReader in) throws IOException {
        in.readVersion("pending labels", VERSION);
        long savedArrived = in.readLong();
        long savedDropped = in.readLong();
        int n = in.readInt();
        if (savedArrived < 0 || savedDropped < 0 || n < 0 || n > buffer) {
            throw new IOException("corrupt pending labels: " + savedArrived + " rows seen, " + savedDropped + " dropped, "
                    + n + " waiting (buffer " + buffer + ")");
        }
        List<Waiting> rows = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            long due = in.readLong();
            long arrival = in.readLong();
            double[] x = in.readDoubles();
            int label = in.readInt();
            double target = in.readDouble();
            int predicted = in.readInt();
            double loss = in.readDouble();
            double logLoss = in.readDouble();
            if (x == null || x.length != schema.numFeatures() || arrival < 0 || arrival >= savedArrived || due < arrival) {
                throw new IOException("corrupt pending labels: row " + i + " of " + n);
            }
            rows.add(new Waiting(due, arrival, x, label, target, predicted, loss, logLoss));
        }
        arrived = savedArrived;
        dropped = savedDropped;
        waiting.clear();
        waiting.addAll(rows);
    }

    /** SplitMix64's finaliser of {@code a} combined with {@code b}. */
    static long mix(long a, long b) {
        long z = a + 0x9E3779B97F4A7C15L * (b + 1);
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** A uniform double in [0, 1) from the top 53 bits. */
    static double unit(long bits) {
        return (bits >>> 11) * 0x1.0p-53;
    }
}
