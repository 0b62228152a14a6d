package io.scarcity.runtime.report;

import io.scarcity.runtime.client.ClientRoundResult;
import io.scarcity.runtime.engine.RunObserver;
import io.scarcity.runtime.engine.RunResult;
import java.io.IOException;
import java.io.UncheckedIOException;
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
 * still gets a summary of everything done before the failure.
 */
public final class SummaryCollector implements RunObserver {
    private final String name;
    private final long startNanos = System.nanoTime();
    private int rounds;
    private int totalRounds;
    private long rows;
    private long correct;
    private double lossSum;
    private long bytes;
    private long rejected;
    private final Map<String, long[]> perDomain = new TreeMap<>();
    private final Map<String, List<Integer>> detections = new TreeMap<>();
    private final List<Double> roundAccuracy = new ArrayList<>();

    public SummaryCollector(String name) {
        this.name = name;
    }

    @Override
    public synchronized void roundCompleted(int round, int total, List<ClientRoundResult> results, RoundExtras extras) {
        rounds = round;
        totalRounds = total;
        long rr = 0;
        long rc = 0;
        for (int i = 0; i < results.size(); i++) {
            ClientRoundResult r = results.get(i);
            rows += r.rows();
            correct += r.correct();
            lossSum += r.lossSum();
            rr += r.rows();
            rc += r.correct();
            long[] d = perDomain.computeIfAbsent(r.domain(), k -> new long[2]);
            d[0] += r.rows();
            d[1] += r.correct();
            if (!r.driftRows().isEmpty()) {
                detections.computeIfAbsent(r.clientId(), k -> new ArrayList<>()).add(round);
            }
            bytes += extras.bytesSent()[i];
        }
        rejected = extras.insightsRejected();
        roundAccuracy.add(rr == 0 ? Double.NaN : (double) rc / rr);
    }

    /** Rows processed so far. */
    public synchronized long rows() {
        return rows;
    }

    /** Prequential accuracy over every row so far. */
    public synchronized double accuracy() {
        return rows == 0 ? Double.NaN : (double) correct / rows;
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
     */
    public synchronized void write(Path file, String status, String error, RunResult result) {
        double seconds = (System.nanoTime() - startNanos) / 1e9;
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("name", name);
        s.put("status", status);
        if (error != null) {
            s.put("error", error);
        }
        s.put("roundsCompleted", rounds);
        s.put("roundsPlanned", totalRounds);
        if (result != null) {
            s.put("stopReason", result.stopReason());
        }
        s.put("rows", rows);
        s.put("accuracy", Json.num(accuracy()));
        s.put("meanLoss", Json.num(rows == 0 ? Double.NaN : lossSum / rows));
        List<Double> acc = new ArrayList<>();
        roundAccuracy.forEach(a -> acc.add(Json.num(a)));
        s.put("accuracyByRound", acc);
        Map<String, Object> domains = new TreeMap<>();
        perDomain.forEach((d, v) -> {
            Map<String, Object> x = new LinkedHashMap<>();
            x.put("rows", v[0]);
            x.put("accuracy", Json.num(v[0] == 0 ? Double.NaN : (double) v[1] / v[0]));
            domains.put(d, x);
        });
        s.put("domains", domains);
        if (result != null) {
            s.put("injectedDrifts", result.injectedDrifts());
        }
        s.put("driftDetectionRounds", detections);
        if (result != null) {
            s.put("quarantinedRows", result.quarantinedRows());
        }
        s.put("bytesSent", bytes);
        s.put("insightsRejected", rejected);
        s.put("wallSeconds", Json.num(seconds));
        s.put("rowsPerSecond", Json.num(seconds > 0 ? rows / seconds : Double.NaN));
        try {
            Files.writeString(file, Json.writePretty(s) + "\n", StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }
}
