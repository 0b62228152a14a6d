package io.scarcity.runtime.engine;

import io.scarcity.api.Checkpointable;
import io.scarcity.api.StateReader;
import io.scarcity.api.StateWriter;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** What the engine accumulates over a run for its {@link RunResult}, kept in checkpoints. */
final class RunTotals implements Checkpointable {
    long rows;
    long correct;
    double lossSum;
    long gossipBytes;
    /** Wall time of the rounds before the last checkpoint, so that a resumed run reports the whole run's. */
    long elapsedNanos;
    /** Why the run stopped before its last round (convergence), or {@code null} while it goes on. */
    String stopReason;
    /** Per domain: [correct or squared errors, scored rows, 1 if classification]. */
    final Map<String, double[]> domainAcc = new TreeMap<>();
    final Map<String, List<Integer>> detected = new TreeMap<>();
    /** Per domain: rows that row filters (e.g. governance rules) kept out of the pipeline. */
    final Map<String, Long> filtered = new TreeMap<>();
    final List<TaskEvaluation> evaluations = new ArrayList<>();
    /** Routing: predicting candidates x batches, those that did no work, and activations per expert. */
    long expertBatches;
    long idleExpertBatches;
    final Map<String, Long> activations = new TreeMap<>();

    /** Adds a completed round's client results (rows, accuracy, routing, drift detections) and its gossip bytes. */
    void add(int round, java.util.List<io.scarcity.runtime.client.ClientRoundResult> results, long roundGossipBytes) {
        gossipBytes += roundGossipBytes;
        for (io.scarcity.runtime.client.ClientRoundResult r : results) {
            rows += r.rows();
            if (r.filteredRows() > 0) {
                filtered.merge(r.domain(), r.filteredRows(), Long::sum);
            }
            correct += r.correct();
            lossSum += r.lossSum();
            expertBatches += r.metrics().expertBatches();
            idleExpertBatches += r.metrics().idleExpertBatches();
            r.metrics().routed().forEach((expert, n) -> activations.merge(expert, n, Long::sum));
            double[] acc = domainAcc.computeIfAbsent(r.domain(), k -> new double[3]);
            acc[0] += r.classification() ? r.correct() : r.lossSum();
            acc[1] += r.scored();
            acc[2] = r.classification() ? 1 : 0;
            if (!r.driftRows().isEmpty()) {
                detected.computeIfAbsent(r.clientId(), k -> new ArrayList<>()).add(round);
            }
        }
    }

    /** Per domain: [accuracy (classification) or RMSE (regression), rows, 1 if classification]. */
    Map<String, double[]> accuracyByDomain() {
        Map<String, double[]> accuracy = new TreeMap<>();
        domainAcc.forEach((d, a) -> accuracy.put(d, new double[] {
            a[1] == 0 ? Double.NaN : a[2] == 1 ? a[0] / a[1] : Math.sqrt(a[0] / a[1]), a[1], a[2]}));
        return accuracy;
    }

    @Override
    public void saveState(StateWriter out) throws IOException {
        out.writeLong(rows);
        out.writeLong(correct);
        out.writeDouble(lossSum);
        out.writeLong(gossipBytes);
        out.writeLong(elapsedNanos);
        out.writeString(stopReason);
        out.writeInt(domainAcc.size());
        for (Map.Entry<String, double[]> e : domainAcc.entrySet()) {
            out.writeString(e.getKey());
            out.writeDoubles(e.getValue());
        }
        out.writeInt(detected.size());
        for (Map.Entry<String, List<Integer>> e : detected.entrySet()) {
            out.writeString(e.getKey());
            out.writeInts(e.getValue().stream().mapToInt(Integer::intValue).toArray());
        }
        out.writeInt(filtered.size());
        for (Map.Entry<String, Long> e : filtered.entrySet()) {
            out.writeString(e.getKey());
            out.writeLong(e.getValue());
        }
        out.writeInt(evaluations.size());
        for (TaskEvaluation t : evaluations) {
            out.writeString(t.domain());
            out.writeInt(t.round());
            out.writeInt(t.segment());
            out.writeInt(t.task());
            out.writeDoubles(t.accuracy());
        }
        out.writeLong(expertBatches);
        out.writeLong(idleExpertBatches);
        out.writeInt(activations.size());
        for (Map.Entry<String, Long> e : activations.entrySet()) {
            out.writeString(e.getKey());
            out.writeLong(e.getValue());
        }
    }

    @Override
    public void restoreState(StateReader in) throws IOException {
        rows = in.readLong();
        correct = in.readLong();
        lossSum = in.readDouble();
        gossipBytes = in.readLong();
        elapsedNanos = in.readLong();
        stopReason = in.readString();
        domainAcc.clear();
        int n = in.readInt();
        for (int i = 0; i < n; i++) {
            domainAcc.put(in.readString(), in.readDoubles(3, "per-domain totals"));
        }
        detected.clear();
        n = in.readInt();
        for (int i = 0; i < n; i++) {
            String client = in.readString();
            List<Integer> rounds = new ArrayList<>();
            for (int r : in.readInts()) {
                rounds.add(r);
            }
            detected.put(client, rounds);
        }
        filtered.clear();
        n = in.readInt();
        for (int i = 0; i < n; i++) {
            filtered.put(in.readString(), in.readLong());
        }
        evaluations.clear();
        n = in.readInt();
        for (int i = 0; i < n; i++) {
            evaluations.add(new TaskEvaluation(in.readString(), in.readInt(), in.readInt(), in.readInt(), in.readDoubles()));
        }
        long batches = in.readLong();
        long idle = in.readLong();
        if (batches < 0 || idle < 0 || idle > batches) {
            throw new IOException("run totals: invalid routing counts (" + idle + " idle of " + batches + " expert-batches)");
        }
        expertBatches = batches;
        idleExpertBatches = idle;
        activations.clear();
        n = in.readInt();
        for (int i = 0; i < n; i++) {
            activations.put(in.readString(), in.readLong());
        }
    }
}
