package io.scarcity.runtime.report;

import io.scarcity.runtime.client.ClientRoundResult;
import io.scarcity.runtime.engine.RunObserver;
import io.scarcity.runtime.engine.RunResult;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Accumulates what {@code summary.json} reports as rounds complete, so that a run that fails midway
 * still gets a summary of everything done before the failure. Classification is summarised by
 * accuracy, regression by RMSE; a run may mix both across domains.
 */
public final class SummaryCollector implements RunObserver, io.scarcity.api.Checkpointable {
    /** What the engine knows besides the rounds' results. */
    public record Facts(Map<String, Map<Long, Integer>> injectedDrifts, Map<String, Long> quarantinedRows,
                        Map<String, Long> filteredRows, Map<String, Double> coordinatorCounters,
                        io.scarcity.runtime.engine.RoutingTotals routing) {
    }

    private final String name;
    private final int plannedRounds;
    private long startNanos = System.nanoTime();
    private int rounds;
    private long rows;
    private long classRows;
    private long correct;
    private long regRows;
    private double squaredErrors;
    private long bytes;
    private long rejected;
    private final Map<String, double[]> perDomain = new TreeMap<>();
    private final Map<String, List<Integer>> detections = new TreeMap<>();
    private final List<Double> roundAccuracy = new ArrayList<>();
    private long offlineClientRounds;
    private long missedRows;
    private final java.util.Set<String> everDropped = new java.util.TreeSet<>();
    private Integer convergedAt;
    /** Checkpoint rounds this run was resumed from, in order. */
    private final List<Integer> resumedAfter = new ArrayList<>();
    /** Under {@code privacy.dp}: the ε each client has spent, as of its latest round. */
    private final Map<String, Double> epsilonSpent = new TreeMap<>();
    /** Under private gossip, the ε each client's rows spent ({@code privacy.row-epsilon}). */
    private final Map<String, Double> rowEpsilonSpent = new TreeMap<>();
    private double delta = Double.NaN;
    /** The audit log's entries and last hash when the run ended; -1 before. */
    private long auditEntries = -1;
    private String auditHead;

    /** Records the audit log's length and head at the end of the run, for summary.json. */
    public synchronized void audited(long entries, String head) {
        this.auditEntries = entries;
        this.auditHead = head;
    }

    public SummaryCollector(String name, int plannedRounds) {
        this.name = name;
        this.plannedRounds = plannedRounds;
    }

    @Override
    public synchronized void roundCompleted(int round, int total, List<ClientRoundResult> results, RoundExtras extras) {
        rounds = round;
        long rr = 0;
        long rc = 0;
        for (int i = 0; i < results.size(); i++) {
            ClientRoundResult r = results.get(i);
            rows += r.rows();
            // per domain: [classification?, rows, correct, squared errors]
            double[] d = perDomain.computeIfAbsent(r.domain(), k -> new double[4]);
            d[0] = r.classification() ? 1 : 0;
            d[1] += r.scored();
            if (r.classification()) {
                classRows += r.scored();
                correct += r.correct();
                rr += r.scored();
                rc += r.correct();
                d[2] += r.correct();
            } else {
                regRows += r.scored();
                squaredErrors += r.lossSum();
                d[3] += r.lossSum();
            }
            if (!r.driftRows().isEmpty()) {
                detections.computeIfAbsent(r.clientId(), k -> new ArrayList<>()).add(round);
            }
            bytes += extras.bytesSent()[i];
            Double spent = r.metrics() == null ? null : r.metrics().plugins().get("privacy.epsilon");
            if (spent != null) {
                epsilonSpent.put(r.clientId(), spent);
                delta = r.metrics().plugins().getOrDefault("privacy.delta", Double.NaN);
            }
            Double perRow = r.metrics() == null ? null : r.metrics().plugins().get("privacy.row-epsilon");
            if (perRow != null) {
                rowEpsilonSpent.put(r.clientId(), perRow);
                delta = r.metrics().plugins().getOrDefault("privacy.delta", Double.NaN);
            }
        }
        rejected = extras.insightsRejected();
        offlineClientRounds += extras.health().offline().size();
        for (ClientRoundResult r : results) {
            missedRows += r.missedRows();
        }
        everDropped.addAll(extras.health().dropped());
        if (extras.health().converged() && convergedAt == null) {
            convergedAt = round;
        }
        roundAccuracy.add(rr == 0 ? Double.NaN : (double) rc / rr);
    }

    /** Saves everything accumulated so far (and the wall time spent, which a resumed run continues from). */
    @Override
    public synchronized void saveState(io.scarcity.api.StateWriter out) throws java.io.IOException {
        out.writeLong(System.nanoTime() - startNanos);
        out.writeInt(rounds);
        out.writeLong(rows);
        out.writeLong(classRows);
        out.writeLong(correct);
        out.writeLong(regRows);
        out.writeDouble(squaredErrors);
        out.writeLong(bytes);
        out.writeLong(rejected);
        out.writeInt(perDomain.size());
        for (Map.Entry<String, double[]> e : perDomain.entrySet()) {
            out.writeString(e.getKey());
            out.writeDoubles(e.getValue());
        }
        out.writeInt(detections.size());
        for (Map.Entry<String, List<Integer>> e : detections.entrySet()) {
            out.writeString(e.getKey());
            out.writeInts(e.getValue().stream().mapToInt(Integer::intValue).toArray());
        }
        out.writeDoubles(roundAccuracy.stream().mapToDouble(Double::doubleValue).toArray());
        out.writeLong(offlineClientRounds);
        out.writeLong(missedRows);
        out.writeInt(everDropped.size());
        for (String d : everDropped) {
            out.writeString(d);
        }
        out.writeInt(convergedAt == null ? -1 : convergedAt);
        out.writeInts(resumedAfter.stream().mapToInt(Integer::intValue).toArray());
        out.writeDoubleMap(epsilonSpent);
        out.writeDouble(delta);
        out.writeDoubleMap(rowEpsilonSpent);
    }

    /** Records that the run was resumed from the checkpoint after {@code round}. */
    public synchronized void resumedAfter(int round) {
        resumedAfter.add(round);
    }

    @Override
    public synchronized void restoreState(io.scarcity.api.StateReader in) throws java.io.IOException {
        startNanos = System.nanoTime() - in.readLong();
        rounds = in.readInt();
        rows = in.readLong();
        classRows = in.readLong();
        correct = in.readLong();
        regRows = in.readLong();
        squaredErrors = in.readDouble();
        bytes = in.readLong();
        rejected = in.readLong();
        perDomain.clear();
        int n = in.readInt();
        for (int i = 0; i < n; i++) {
            perDomain.put(in.readString(), in.readDoubles(4, "per-domain summary"));
        }
        detections.clear();
        n = in.readInt();
        for (int i = 0; i < n; i++) {
            String client = in.readString();
            List<Integer> r = new ArrayList<>();
            for (int x : in.readInts()) {
                r.add(x);
            }
            detections.put(client, r);
        }
        roundAccuracy.clear();
        for (double a : in.readDoubles()) {
            roundAccuracy.add(a);
        }
        offlineClientRounds = in.readLong();
        missedRows = in.readLong();
        everDropped.clear();
        n = in.readInt();
        for (int i = 0; i < n; i++) {
            everDropped.add(in.readString());
        }
        int c = in.readInt();
        convergedAt = c < 0 ? null : c;
        resumedAfter.clear();
        for (int r : in.readInts()) {
            resumedAfter.add(r);
        }
        epsilonSpent.clear();
        epsilonSpent.putAll(in.readDoubleMap());
        delta = in.readDouble();
        rowEpsilonSpent.clear();
        rowEpsilonSpent.putAll(in.readDoubleMap());
    }

    /** Rows processed so far. */
    public synchronized long rows() {
        return rows;
    }

    /** Prequential accuracy over every classification row so far (NaN if none). */
    public synchronized double accuracy() {
        return classRows == 0 ? Double.NaN : (double) correct / classRows;
    }

    /** Prequential RMSE over every regression row so far (NaN if none). */
    public synchronized double rmse() {
        return regRows == 0 ? Double.NaN : Math.sqrt(squaredErrors / regRows);
    }

    public synchronized int roundsCompleted() {
        return rounds;
    }

    /**
     * Writes summary.json.
     *
     * @param status {@code completed}, {@code failed} or {@code interrupted}
     * @param error the user-facing error message, or {@code null}
     * @param result the engine's result when it finished, or {@code null}
     * @param facts what the engine knows (drifts, quarantine, coordinator counters), or {@code null}
     */
    public synchronized void write(Path file, String status, String error, RunResult result, Facts facts) {
        double seconds = result != null ? result.elapsedNanos() / 1e9 : (System.nanoTime() - startNanos) / 1e9;
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("name", name);
        s.put("status", status);
        if (error != null) {
            s.put("error", error);
        }
        s.put("roundsCompleted", rounds);
        s.put("roundsPlanned", plannedRounds);
        if (result != null) {
            s.put("stopReason", result.stopReason());
        }
        s.put("rows", rows);
        if (classRows + regRows != rows) { // scarce or late labels: accuracy is over the rows whose label came
            s.put("scoredRows", classRows + regRows);
        }
        s.put("accuracy", Json.num(accuracy()));
        s.put("rmse", Json.num(rmse()));
        List<Double> acc = new ArrayList<>();
        roundAccuracy.forEach(a -> acc.add(Json.num(a)));
        s.put("accuracyByRound", acc);
        Map<String, Object> domains = new TreeMap<>();
        perDomain.forEach((d, v) -> {
            Map<String, Object> x = new LinkedHashMap<>();
            x.put("rows", (long) v[1]); // rows scored against their label (all rows, unless labels are scarce or late)
            if (v[0] == 1) {
                x.put("accuracy", Json.num(v[1] == 0 ? Double.NaN : v[2] / v[1]));
            } else {
                x.put("rmse", Json.num(v[1] == 0 ? Double.NaN : Math.sqrt(v[3] / v[1])));
            }
            domains.put(d, x);
        });
        s.put("domains", domains);
        TaskMatrix tasks = result == null ? null : TaskMatrix.of(result.taskEvaluations());
        if (tasks != null && !tasks.isEmpty()) {
            // task streams: the accuracy matrix and what it says about forgetting (definitions: ContinualMetrics)
            Map<String, Object> c = new LinkedHashMap<>();
            List<List<Double>> rows = new ArrayList<>();
            for (double[] row : tasks.accuracy()) {
                List<Double> r = new ArrayList<>();
                for (double v : row) {
                    r.add(Json.num(v));
                }
                rows.add(r);
            }
            c.put("accuracyMatrix", rows);
            c.put("taskOfSegment", tasks.taskOf());
            c.put("roundOfSegment", tasks.rounds());
            var m = tasks.metrics();
            c.put("finalTaskAccuracy", Json.num(m.finalAccuracy()));
            c.put("forgetting", Json.num(m.forgetting()));
            c.put("backwardTransfer", Json.num(m.backwardTransfer()));
            s.put("continual", c);
        }
        if (facts != null) {
            s.put("injectedDrifts", facts.injectedDrifts());
        }
        s.put("driftDetectionRounds", detections);
        if (facts != null) {
            s.put("quarantinedRows", facts.quarantinedRows());
            s.put("filteredRows", facts.filteredRows());
            s.put("coordinatorCounters", facts.coordinatorCounters());
            Map<String, Object> routing = new LinkedHashMap<>();
            routing.put("expertBatches", facts.routing().expertBatches());
            routing.put("idleExpertBatches", facts.routing().idleExpertBatches());
            routing.put("computeSaved", Json.num(facts.routing().computeSaved()));
            routing.put("activations", facts.routing().activations());
            s.put("routing", routing);
        }
        Map<String, Object> health = new LinkedHashMap<>();
        health.put("offlineClientRounds", offlineClientRounds);
        health.put("rowsMissedOffline", missedRows);
        health.put("clientsEverDropped", everDropped);
        health.put("convergedAtRound", convergedAt);
        s.put("health", health);
        if (!epsilonSpent.isEmpty() || !rowEpsilonSpent.isEmpty()) {
            Map<String, Object> privacy = new LinkedHashMap<>();
            if (!epsilonSpent.isEmpty()) {
                privacy.put("maxEpsilonSpent", Json.num(epsilonSpent.values().stream().mapToDouble(Double::doubleValue).max().orElse(0)));
                Map<String, Object> perClient = new TreeMap<>();
                epsilonSpent.forEach((c, e) -> perClient.put(c, Json.num(e)));
                privacy.put("epsilonSpent", perClient);
            }
            if (!rowEpsilonSpent.isEmpty()) { // private gossip: per row, composed with the insights' under outputs: both
                privacy.put("maxRowEpsilonSpent", Json.num(rowEpsilonSpent.values().stream().mapToDouble(Double::doubleValue)
                        .max().orElse(0)));
                Map<String, Object> perClient = new TreeMap<>();
                rowEpsilonSpent.forEach((c, e) -> perClient.put(c, Json.num(e)));
                privacy.put("rowEpsilonSpent", perClient);
            }
            privacy.put("delta", Json.num(delta));
            s.put("privacy", privacy);
        }
        if (auditEntries >= 0) {
            Map<String, Object> audit = new LinkedHashMap<>();
            audit.put("entries", auditEntries);
            audit.put("head", auditHead);
            s.put("audit", audit);
        }
        if (!resumedAfter.isEmpty()) {
            s.put("resumedAfterRounds", resumedAfter);
        }
        s.put("bytesSent", bytes);
        s.put("insightsRejected", rejected);
        s.put("wallSeconds", Json.num(seconds));
        s.put("rowsPerSecond", Json.num(seconds > 0 ? rows / seconds : Double.NaN));
        try {
            Files.writeString(file, Json.writePretty(s) + "\n", StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new io.scarcity.runtime.UserException("cannot write " + file + ": " + io.scarcity.runtime.Faults.describe(e)
                    + "; make the run folder writable (or free the disk), then continue with scarcity run --resume "
                    + file.getParent(), e);
        }
    }
}
