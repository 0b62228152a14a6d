package io.scarcity.runtime.report;

import io.scarcity.runtime.client.ClientRoundResult;
import io.scarcity.runtime.client.RoundMetrics;
import io.scarcity.runtime.engine.RunObserver;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Writes {@code metrics.jsonl}: one line per client per round, flushed at the end of every round so
 * that a run that fails later keeps everything measured so far. Contains no wall-clock values, so the
 * file is byte-identical for the same seed whatever the thread count.
 */
public final class MetricsWriter implements RunObserver, AutoCloseable {
    private final JsonLinesFile out;

    public MetricsWriter(Path file) {
        out = new JsonLinesFile(file);
    }

    private MetricsWriter(JsonLinesFile out) {
        this.out = out;
    }

    /** Continues the file of an interrupted run after {@code throughRound} (later lines are dropped). */
    public static MetricsWriter resume(Path file, int throughRound) {
        return new MetricsWriter(JsonLinesFile.resume(file, throughRound));
    }

    /**
     * Continues the file of an interrupted run whose checkpoint recorded its first {@code keepBytes} bytes
     * (checked before by the resume): the rest is dropped.
     */
    public static MetricsWriter resume(Path file, long keepBytes) {
        return new MetricsWriter(JsonLinesFile.resume(file, keepBytes));
    }

    /** Bytes written to the file so far. */
    public long bytes() {
        return out.bytes();
    }

    /** SHA-256 (hex) of the file's {@link #bytes()} bytes. */
    public String sha256() {
        return out.sha256();
    }

    @Override
    public void beforeCheckpoint(int round) {
        out.sync();
    }

    @Override
    public void roundCompleted(int round, int totalRounds, List<ClientRoundResult> results, RoundExtras extras) {
        List<Object> lines = new java.util.ArrayList<>(results.size());
        for (int i = 0; i < results.size(); i++) {
            lines.add(line(results.get(i), extras, i));
        }
        out.writeAll(lines);
    }

    static Map<String, Object> line(ClientRoundResult r, RoundExtras extras, int i) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("round", r.round());
        m.put("client", r.clientId());
        m.put("domain", r.domain());
        if (r.offline()) {
            m.put("offline", true);
            m.put("missedRows", r.missedRows());
            m.put("bytesSent", extras.bytesSent()[i]);
            return m;
        }
        m.put("rows", r.rows());
        if (r.scored() != r.rows()) {
            m.put("scoredRows", r.scored());
        }
        m.put("accuracy", Json.num(r.insight().accuracy()));
        m.put("loss", Json.num(r.insight().loss()));
        m.put("logLoss", Json.num(r.scored() == 0 || !r.classification() ? Double.NaN : r.logLossSum() / r.scored()));
        m.put("rmse", Json.num(r.scored() == 0 || r.classification() ? Double.NaN : Math.sqrt(r.lossSum() / r.scored())));
        Map<String, Object> experts = new LinkedHashMap<>();
        for (Map.Entry<String, RoundMetrics.ExpertRound> e : r.metrics().experts().entrySet()) {
            Map<String, Object> x = new LinkedHashMap<>();
            x.put("active", e.getValue().activations());
            x.put("loss", Json.num(e.getValue().loss()));
            x.put("lr", Json.num(e.getValue().learningRate()));
            experts.put(e.getKey(), x);
        }
        m.put("experts", experts);
        Map<String, Object> routing = new LinkedHashMap<>();
        routing.put("expertBatches", r.metrics().expertBatches());
        routing.put("idleExpertBatches", r.metrics().idleExpertBatches());
        routing.put("computeSaved", Json.num(r.metrics().computeSaved()));
        m.put("routing", routing);
        m.put("driftDetections", r.driftRows().size());
        m.put("driftRows", r.driftRows());
        Map<String, Object> signals = new TreeMap<>();
        r.signals().forEach((k, v) -> signals.put(k, Json.num(v)));
        m.put("signals", signals);
        m.put("bytesSent", extras.bytesSent()[i]);
        m.put("gossipPartners", extras.gossipPartners()[i]);
        m.put("memory", r.memory().tierSizes());
        Map<String, Object> plugins = new TreeMap<>();
        r.metrics().plugins().forEach((k, v) -> plugins.put(k, Json.num(v)));
        m.put("plugins", plugins);
        return m;
    }

    @Override
    public void close() {
        out.close();
    }
}
