package io.scarcity.plugins.memoryconsolidation;

import io.scarcity.api.Batch;
import io.scarcity.api.BatchOutcome;
import io.scarcity.api.Checkpointable;
import io.scarcity.api.EwcPenalty;
import io.scarcity.api.Expert;
import io.scarcity.api.ExpertCapabilities;
import io.scarcity.api.ExpertState;
import io.scarcity.api.ExpertSupervisor;
import io.scarcity.api.MetricsSink;
import io.scarcity.api.SignalBoard;
import io.scarcity.api.StandardSignals;
import io.scarcity.api.StateReader;
import io.scarcity.api.StateWriter;
import io.scarcity.api.SupervisedClient;
import java.io.IOException;
import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * An analyser that consolidates what the client's learning experts know: it replays remembered rows into
 * them and, at consolidation points, sets an elastic-weight-consolidation (EWC) penalty on those that
 * support one. It predicts nothing and is not gossiped; the runtime calls {@link #supervise} after every
 * batch, once every expert has learned from it and the memory has observed it.
 *
 * <p><b>Replay</b> ({@code replayRows}, {@code replayTo}, {@code replayEvery}): after every
 * {@code replayEvery}-th batch, each chosen expert gets {@code replayRows} rows sampled from the client's
 * memory through {@link SupervisedClient#replay}, one independent sample per expert. {@code active}
 * chooses the experts the router activated on the batch just learned, {@code all} every supervised
 * expert; frozen experts are skipped. How the rows are drawn is the memory's business: the
 * {@code hierarchical} memory splits them between its tiers by its own {@code mix} shares, and when its
 * semantic tier holds codes (a {@code RowCodec} offered by the {@code reconstruction} expert) the rows
 * replayed from that tier are decoded from the VAE's latent codes, so compressed replay needs nothing
 * here. This differs from the runtime's own {@code replayRows} (the client's option): that one draws one
 * sample per batch and feeds the same rows to every expert that learned the batch; this one is targeted
 * (per expert, by policy), has its own budget and cadence, and sits next to the EWC penalty that keeps
 * the replayed knowledge in place. Both may be used together; their budgets add up.
 *
 * <p><b>Consolidation points</b>: a batch is one when {@code onDrift} is set and the drift expert
 * published {@code drift.detected >= 0.5} (it publishes 0 or 1), or when {@code consolidateEvery > 0}
 * batches have passed since the previous point of either kind (a drift point restarts the count, so
 * that a periodic point never follows a drift point closely and counts the same knowledge twice). Timing
 * at a drift: analysers learn first, so the signal is on the board when this supervisor runs after the
 * batch; the weights then reflect the old concept plus what the experts learned from the new one during
 * the detector's delay (a few hundred rows with the drift expert's defaults) and this batch. That is the
 * earliest moment the client knows of the change, and the anchor is taken before the new concept
 * overwrites more. Experts that react to the same signal (e.g. a learning-rate boost) have reacted on
 * this batch already. The importances suffer more than the anchor: an importance that is a running mean
 * of squared gradients takes in the large gradients of the new concept's first rows, so the weights the
 * new concept needs look important (in {@code EwcOnDataTest}, two batches of 50 rows after 10,000 raise
 * an unimportant weight's importance about 70-fold and hold it back). A periodic point before the change
 * has no such bias; {@code consolidateEvery} is the remedy until experts can report the importance of
 * an earlier moment.
 *
 * <p><b>Online EWC</b> (Schwarz et al. 2018, "Progress &amp; Compress"): at a point, for each supervised
 * expert in order whose {@link SupervisedClient#importance} and {@link SupervisedClient#weights} are both
 * present (so experts that do not estimate importances or are not gossipable are skipped, and
 * {@code weights} is never asked of an expert without importances): the importances become
 * {@code F = importanceDecay * F_previous + F_new} element-wise (an array that is new or changed length
 * starts from {@code F_new}), the anchor is the current weights, and
 * {@code penalise(expert, anchor, F, ewcStrength)} replaces the expert's previous penalty. Only the last
 * anchor is used, as in online EWC: one quadratic penalty per expert, not one per point. The shipped
 * neural experts' {@code importance()} is already a running mean of squared gradients over their whole
 * history, so {@code importanceDecay} mostly governs how much earlier points are counted again; the
 * default 0.5 bounds a steady importance {@code F} at {@code 2F}. An expert whose importances are
 * negative, not finite, or do not match its weights' names and lengths ({@link EwcPenalty#mismatch}) is skipped
 * with a warning.
 * {@code ewcStrength: 0} disables consolidation (nothing is asked, no penalty is set): the expert then
 * only replays.
 *
 * <p><b>Signals and metrics</b>: publishes {@code memory-consolidation.points} (consolidation points so
 * far) after every batch; counts {@code memory-consolidation.replayed-rows} (rows replayed),
 * {@code memory-consolidation.consolidations} (points) and {@code memory-consolidation.penalised}
 * (penalties that experts applied).
 *
 * <p><b>Checkpoints</b> ({@link Checkpointable}, format 2): the format version (not the options: the runtime
 * resumes only under the same config), the batch
 * counters, the totals, and the combined importances of every expert that applied a penalty: one double
 * per learnable parameter of each such expert, as large as the expert's weights. The anchors are not
 * kept: the next point takes new ones, and the penalty in force (anchor included) is the penalised
 * expert's state, checkpointed with it.
 */
final class MemoryConsolidationExpert implements Expert, ExpertSupervisor, Checkpointable {
    static final String POINTS_SIGNAL = "memory-consolidation.points";
    static final String REPLAYED_ROWS = "memory-consolidation.replayed-rows";
    static final String CONSOLIDATIONS = "memory-consolidation.consolidations";
    static final String PENALISED = "memory-consolidation.penalised";
    /** Format of {@link #saveState}; 2 left the options out. */
    static final int STATE_VERSION = 2;
    private static final String COMPONENT = "memory-consolidation expert";

    private final Options options;
    private final MetricsSink metrics;
    private final System.Logger logger;
    private final ExpertCapabilities capabilities;
    /** Combined importances per expert that applied a penalty, by instance name. */
    private final Map<String, ExpertState> importances = new TreeMap<>();
    private long batches;
    private long sinceConsolidation;
    private long points;
    private long replayedRows;
    private long penalised;

    MemoryConsolidationExpert(Options options, MetricsSink metrics, System.Logger logger) {
        this.options = Objects.requireNonNull(options, "options is null");
        this.metrics = Objects.requireNonNull(metrics, "metrics is null");
        this.logger = Objects.requireNonNull(logger, "logger is null");
        this.capabilities = new ExpertCapabilities(false, false,
                options.consolidates() && options.onDrift() ? Set.of(StandardSignals.DRIFT_DETECTED) : Set.of(),
                Set.of(POINTS_SIGNAL));
    }

    @Override
    public ExpertCapabilities capabilities() {
        return capabilities;
    }

    /** Nothing to learn from the batch itself: the work is done in {@link #supervise}, after the others learned. */
    @Override
    public void learn(Batch batch, BatchOutcome outcome, SignalBoard signals) {
        Objects.requireNonNull(batch, "batch is null");
        Objects.requireNonNull(outcome, "outcome is null");
        Objects.requireNonNull(signals, "signals is null");
    }

    @Override
    public void supervise(SupervisedClient client) {
        Objects.requireNonNull(client, "client is null");
        batches++;
        sinceConsolidation++;
        if (options.consolidates()) {
            boolean drift = options.onDrift() && client.signals().get(StandardSignals.DRIFT_DETECTED, 0.0) >= 0.5;
            boolean periodic = options.consolidateEvery() > 0 && sinceConsolidation >= options.consolidateEvery();
            if (drift || periodic) {
                consolidate(client, drift);
            }
        }
        if (options.replayRows() > 0 && batches % options.replayEvery() == 0) {
            replay(client);
        }
        client.signals().publish(POINTS_SIGNAL, points);
    }

    private void replay(SupervisedClient client) {
        long rows = 0;
        for (String expert : client.experts()) {
            if (client.frozen(expert) || !(options.replayToAll() || client.active(expert))) {
                continue;
            }
            rows += client.replay(expert, options.replayRows());
        }
        replayedRows += rows;
        metrics.count(REPLAYED_ROWS, rows);
    }

    private void consolidate(SupervisedClient client, boolean drift) {
        points++;
        sinceConsolidation = 0;
        int applied = 0;
        for (String expert : client.experts()) {
            Optional<ExpertState> fresh = client.importance(expert);
            if (fresh.isEmpty()) {
                continue;
            }
            Optional<ExpertState> anchor = client.weights(expert);
            if (anchor.isEmpty()) {
                continue;
            }
            String problem = EwcPenalty.mismatch(fresh.get(), anchor.get());
            if (problem != null) {
                logger.log(System.Logger.Level.WARNING, "memory-consolidation: no EWC penalty for expert '" + expert + "': "
                        + problem);
                continue;
            }
            ExpertState combined = combine(importances.get(expert), fresh.get(), options.importanceDecay());
            if (client.penalise(expert, anchor.get(), combined, options.ewcStrength())) {
                importances.put(expert, combined);
                applied++;
            }
        }
        penalised += applied;
        metrics.count(CONSOLIDATIONS, 1);
        metrics.count(PENALISED, applied);
        logger.log(drift ? System.Logger.Level.INFO : System.Logger.Level.DEBUG, "memory-consolidation: consolidation point "
                + points + " after batch " + client.batchIndex() + (drift ? " (drift detected)" : " (periodic)") + ", "
                + applied + " expert(s) penalised with ewcStrength " + options.ewcStrength());
    }

    /**
     * Online EWC: {@code decay * previous + fresh} for every array of {@code fresh} that {@code previous}
     * has with the same length, {@code fresh} alone for the others; arrays only in {@code previous} are
     * dropped (the expert no longer has them).
     */
    static ExpertState combine(ExpertState previous, ExpertState fresh, double decay) {
        if (previous == null) {
            return fresh;
        }
        Map<String, double[]> out = new TreeMap<>();
        for (Map.Entry<String, double[]> e : fresh.weights().entrySet()) {
            double[] now = e.getValue();
            double[] before = previous.weights().get(e.getKey());
            double[] f = now.clone();
            if (before != null && before.length == now.length) {
                for (int i = 0; i < f.length; i++) {
                    f[i] = decay * before[i] + now[i];
                }
            }
            out.put(e.getKey(), f);
        }
        return new ExpertState(fresh.expert(), out, fresh.samples());
    }

    long points() {
        return points;
    }

    long replayedRows() {
        return replayedRows;
    }

    long penalised() {
        return penalised;
    }

    /** The combined importances per penalised expert (read-only view). */
    Map<String, ExpertState> importances() {
        return Collections.unmodifiableMap(importances);
    }

    @Override
    public void saveState(StateWriter out) throws IOException {
        out.writeVersion(STATE_VERSION);
        out.writeLong(batches);
        out.writeLong(sinceConsolidation);
        out.writeLong(points);
        out.writeLong(replayedRows);
        out.writeLong(penalised);
        out.writeInt(importances.size());
        for (Map.Entry<String, ExpertState> e : importances.entrySet()) {
            out.writeString(e.getKey());
            out.writeExpertState(e.getValue());
        }
    }

    @Override
    public void restoreState(StateReader in) throws IOException {
        in.readVersion(COMPONENT, STATE_VERSION);
        long b = in.readLong();
        long since = in.readLong();
        long p = in.readLong();
        long rows = in.readLong();
        long pen = in.readLong();
        if (b < 0 || since < 0 || since > b || p < 0 || rows < 0 || pen < 0) {
            throw new IOException(COMPONENT + " state: invalid counters (batches " + b + ", since consolidation " + since
                    + ", points " + p + ", replayed rows " + rows + ", penalised " + pen + ")");
        }
        int n = in.readInt();
        if (n < 0 || n > StateReader.MAX_LENGTH) {
            throw new IOException(COMPONENT + " state: invalid number of experts " + n);
        }
        Map<String, ExpertState> restored = new TreeMap<>();
        for (int i = 0; i < n; i++) {
            String name = in.readString();
            if (name == null || restored.containsKey(name)) {
                throw new IOException(COMPONENT + " state: missing or repeated expert name '" + name + "'");
            }
            restored.put(name, in.readExpertState());
        }
        batches = b;
        sinceConsolidation = since;
        points = p;
        replayedRows = rows;
        penalised = pen;
        importances.clear();
        importances.putAll(restored);
    }
}
