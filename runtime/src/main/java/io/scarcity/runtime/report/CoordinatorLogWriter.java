package io.scarcity.runtime.report;

import io.scarcity.runtime.client.ClientRoundResult;
import io.scarcity.runtime.engine.RunObserver;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Writes {@code coordinator.jsonl}: one line per round with the coordinator's view: clients offline,
 * clients dropped for silence beyond the heartbeat timeout, consensus weights, loss spread,
 * meta-parameter change, convergence, insights rejected so far and the coordinator-side plugins'
 * counters. Flushed every round; no wall-clock values.
 */
public final class CoordinatorLogWriter implements RunObserver, AutoCloseable {
    private final JsonLinesFile out;

    public CoordinatorLogWriter(Path file) {
        out = new JsonLinesFile(file);
    }

    private CoordinatorLogWriter(JsonLinesFile out) {
        this.out = out;
    }

    /** Continues the file of an interrupted run after {@code throughRound} (later lines are dropped). */
    public static CoordinatorLogWriter resume(Path file, int throughRound) {
        return new CoordinatorLogWriter(JsonLinesFile.resume(file, throughRound));
    }

    /**
     * Continues the file of an interrupted run whose checkpoint recorded its first {@code keepBytes} bytes
     * (checked before by the resume): the rest is dropped.
     */
    public static CoordinatorLogWriter resume(Path file, long keepBytes) {
        return new CoordinatorLogWriter(JsonLinesFile.resume(file, keepBytes));
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
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("round", round);
        io.scarcity.runtime.federation.RoundHealth h = extras.health();
        m.put("offline", h.offline());
        m.put("dropped", h.dropped());
        Map<String, Object> weights = new LinkedHashMap<>();
        h.weights().forEach((k, v) -> weights.put(k, Json.num(v)));
        m.put("weights", weights);
        m.put("lossSpread", Json.num(h.lossSpread()));
        m.put("parameterChange", Json.num(h.parameterChange()));
        m.put("converged", h.converged());
        m.put("insightsRejected", extras.insightsRejected());
        m.put("gossipBytes", extras.gossipBytes());
        Map<String, Object> plugins = new TreeMap<>();
        extras.coordinatorMetrics().forEach((k, v) -> plugins.put(k, Json.num(v)));
        m.put("plugins", plugins);
        out.writeAll(List.of(m));
    }

    @Override
    public void close() {
        out.close();
    }
}
