package io.scarcity.plugins.metaadaptation;

import io.scarcity.api.Batch;
import io.scarcity.api.BatchOutcome;
import io.scarcity.api.Checkpointable;
import io.scarcity.api.Expert;
import io.scarcity.api.ExpertCapabilities;
import io.scarcity.api.ExpertSupervisor;
import io.scarcity.api.MetricsSink;
import io.scarcity.api.SignalBoard;
import io.scarcity.api.StandardSignals;
import io.scarcity.api.StateReader;
import io.scarcity.api.StateWriter;
import io.scarcity.api.SupervisedClient;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * An analyser that steers the learning rates of its client's other experts from their losses
 * ({@link ExpertSupervisor}). It predicts nothing and learns nothing from the batches themselves: all its
 * work happens in {@link #supervise}, after every batch.
 *
 * <p><b>Loss trend.</b> Per supervised expert, over the batches on which it was active and its loss is finite
 * (labelled), two exponentially weighted means of its batch loss: a fast one (weight {@code fastRate}) and a
 * slow one ({@code slowRate}), both starting at the first loss. The relative trend is
 * {@code r = (fast - slow) / max(|slow|, 1e-12)}: positive when the loss has recently risen. The first
 * {@code warmup} observations only feed the means.
 *
 * <p><b>Scale.</b> Each expert's scale starts at 1: the experts already apply the coordinator's learning-rate
 * hints themselves, and the scale multiplies whatever rate they use ({@link Expert#scaleLearningRate}). It is
 * kept in [{@code minScale}, {@code maxScale}] and sent to the expert only when it changes.
 * <ul>
 *   <li>{@code method: rule}: if {@code r > tolerance} (rising) the scale is multiplied by {@code shrink}; if
 *       {@code r < -tolerance} (falling) for {@code patience} consecutive observations, by {@code grow} (and the
 *       count restarts); anything else restarts the count. A rising loss is read as a rate that is too large
 *       (overshoot), a long fall as room to go faster.</li>
 *   <li>{@code method: hypergradient}: Baydin et al. (2018, "Online learning rate adaptation with hypergradient
 *       descent") move the rate along {@code -d loss / d rate}, estimated from the dot product of consecutive
 *       gradients. The SPI shows losses, not gradients, so this uses a finite difference on the log scale
 *       {@code s}: with {@code m} the fast mean of the loss, {@code g = ((m_k - m_{k-1}) / max(|m_{k-1}|, 1e-12))
 *       / u}, where {@code u} is the change of {@code s} made two observations earlier. Two, because of
 *       test-then-train: a scale set after batch {@code t} governs learning from batch {@code t+1}, which first
 *       shows in the loss of batch {@code t+2}. Then {@code s += -sign(g) * clamp(hyperRate * |g|, probe,
 *       maxStep)}, where {@code maxStep} is {@code ln grow} upwards and {@code -ln shrink} downwards (the
 *       safeguard: one observation never moves the scale by more than the rule would). When there is no
 *       estimate ({@code u = 0}, e.g. at a bound, during the first observations, or {@code g = 0}) it probes by
 *       {@code probe} in the last direction, or away from the bound it sits at; the first probe goes up. Limits:
 *       every other cause of a loss change (the learning progress itself, noise, a change of the data) is
 *       credited to the last scale change; a loss that falls anyway reinforces whatever the last step was. It is
 *       a noisy one-dimensional search and suits slowly varying, roughly quadratic responses of the loss to the
 *       log rate; lower {@code fastRate} to smooth noisy losses (at the cost of a slower, more lagged
 *       estimate).</li>
 * </ul>
 * An expert whose {@link Expert#scaleLearningRate} returns false is left alone from then on (logged once,
 * counted in {@code meta-adaptation.unsupported}); freezing still applies to it.
 *
 * <p><b>Freezing</b> ({@code freeze: true}; off by default because freezing an expert that could still improve
 * costs accuracy and is only undone by a detected drift). The SPI exposes losses, not gradients, so vanishing
 * gradients are approximated by a flat loss: {@code |r| < freezeTolerance} for {@code freezePatience}
 * consecutive observations after warmup. The expert is then frozen ({@link SupervisedClient#freeze}; it still
 * predicts when routed, but learns nothing). A flat loss also includes a loss that is flat because it is at its
 * floor (e.g. 0), which is the intent: nothing left to learn until the data change. While an expert is frozen
 * (by this or another supervisor) its trend and scale are left as they are, since it does not learn.
 *
 * <p><b>Drift.</b> When {@code drift.detected >= 1} (published by a drift expert before supervisors run), every
 * expert this supervisor froze is unfrozen (not those frozen by another supervisor), and with
 * {@code resetOnDrift} (default) every expert's trend restarts and its scale returns to 1; without it only the
 * thawed experts'. The reset exists because a loss that rises after a change of the data calls for faster
 * learning, not the shrinking the rule would apply. The loss of the drift batch starts the new trend.
 *
 * <p><b>Outputs.</b> After every batch, signal {@code meta-adaptation.scale.<expert>} (and a metrics gauge of
 * the same name) for every expert not known to refuse scales (it reads 1 until one refuses, which is then
 * its true scale, and is no longer updated); counters {@code meta-adaptation.freezes},
 * {@code meta-adaptation.thaws}, {@code meta-adaptation.unsupported}. The scale signals are not in
 * {@link ExpertCapabilities#writes()}: their names depend on the client's expert names, unknown at creation.
 *
 * <p>Checkpoints ({@link Checkpointable}, format 2): the format version (not the options: the runtime resumes
 * only under the same config) and, per expert in the
 * order first seen, its means, counters, scale, hypergradient memory and whether it was frozen by this
 * supervisor.
 */
final class MetaAdaptationExpert implements Expert, ExpertSupervisor, Checkpointable {
    static final String SCALE_PREFIX = "meta-adaptation.scale.";
    static final String FREEZES = "meta-adaptation.freezes";
    static final String THAWS = "meta-adaptation.thaws";
    static final String UNSUPPORTED = "meta-adaptation.unsupported";
    /** Format of {@link #saveState}; 2 left the options out. */
    static final int STATE_VERSION = 2;
    private static final double TINY = 1e-12;

    private final Options options;
    private final MetricsSink metrics;
    private final System.Logger logger;
    private final ExpertCapabilities capabilities;
    private final double logMin;
    private final double logMax;
    private final Map<String, Track> tracks = new LinkedHashMap<>();
    private long freezes;
    private long thaws;

    /** What this supervisor keeps about one supervised expert. */
    private static final class Track {
        boolean supported = true;
        boolean frozenByMe;
        double scale = 1;
        double fast = Double.NaN;
        double slow = Double.NaN;
        long observations;
        int falls;
        int flats;
        // hypergradient: the fast mean at the last observation, the log-scale changes made one and two
        // observations ago, and the direction of the last probe
        double lastMean = Double.NaN;
        double step1;
        double step2;
        double direction = 1;

        void restart() {
            fast = Double.NaN;
            slow = Double.NaN;
            observations = 0;
            falls = 0;
            flats = 0;
            lastMean = Double.NaN;
            step1 = 0;
            step2 = 0;
            direction = 1;
        }
    }

    MetaAdaptationExpert(Options options, MetricsSink metrics, System.Logger logger) {
        this.options = Objects.requireNonNull(options, "options is null");
        this.metrics = Objects.requireNonNull(metrics, "metrics is null");
        this.logger = Objects.requireNonNull(logger, "logger is null");
        this.capabilities = new ExpertCapabilities(false, false, Set.of(StandardSignals.DRIFT_DETECTED), Set.of());
        this.logMin = Math.log(options.minScale());
        this.logMax = Math.log(options.maxScale());
    }

    @Override
    public ExpertCapabilities capabilities() {
        return capabilities;
    }

    /** Nothing to learn from the batch itself: the losses it needs come through {@link #supervise}. */
    @Override
    public void learn(Batch batch, BatchOutcome outcome, SignalBoard signals) {
        Objects.requireNonNull(batch, "batch is null");
        Objects.requireNonNull(outcome, "outcome is null");
        Objects.requireNonNull(signals, "signals is null");
    }

    @Override
    public void supervise(SupervisedClient client) {
        Objects.requireNonNull(client, "client is null");
        boolean drift = client.signals().get(StandardSignals.DRIFT_DETECTED, 0) >= 1;
        for (String name : client.experts()) {
            Track t = tracks.computeIfAbsent(name, n -> new Track());
            if (t.frozenByMe && !client.frozen(name)) {
                t.frozenByMe = false;   // another supervisor thawed it
            }
            if (drift) {
                onDrift(client, name, t);
            }
            if (!client.frozen(name) && client.active(name)) {
                double loss = client.loss(name);
                if (Double.isFinite(loss)) {
                    observe(client, name, t, loss);
                }
            }
            if (t.supported) {
                client.signals().publish(SCALE_PREFIX + name, t.scale);
                metrics.gauge(SCALE_PREFIX + name, t.scale);
            }
        }
    }

    private void onDrift(SupervisedClient client, String name, Track t) {
        boolean thawed = false;
        if (t.frozenByMe) {
            client.freeze(name, false);
            t.frozenByMe = false;
            thaws++;
            metrics.count(THAWS, 1);
            thawed = true;
            logger.log(System.Logger.Level.INFO, "meta-adaptation: drift detected at batch " + client.batchIndex()
                    + "; unfroze " + name);
        }
        if (thawed || options.resetOnDrift()) {
            t.restart();
            setScale(client, name, t, 1);
        }
    }

    private void observe(SupervisedClient client, String name, Track t, double loss) {
        if (t.observations == 0) {
            t.fast = loss;
            t.slow = loss;
        } else {
            t.fast += options.fastRate() * (loss - t.fast);
            t.slow += options.slowRate() * (loss - t.slow);
        }
        t.observations++;
        double trend = (t.fast - t.slow) / Math.max(Math.abs(t.slow), TINY);
        if (t.observations <= options.warmup()) {
            if (Options.HYPERGRADIENT.equals(options.method())) {
                t.lastMean = t.fast;
            }
            return;
        }
        if (options.freeze() && watchFlat(client, name, t, trend)) {
            return;
        }
        if (!t.supported) {
            return;
        }
        if (Options.RULE.equals(options.method())) {
            rule(client, name, t, trend);
        } else {
            hypergradient(client, name, t);
        }
    }

    /** Counts flat observations; freezes the expert after {@code freezePatience} of them. Whether it froze it. */
    private boolean watchFlat(SupervisedClient client, String name, Track t, double trend) {
        if (!(Math.abs(trend) < options.freezeTolerance())) {
            t.flats = 0;
            return false;
        }
        t.flats++;
        if (t.flats < options.freezePatience()) {
            return false;
        }
        t.flats = 0;
        client.freeze(name, true);
        t.frozenByMe = true;
        freezes++;
        metrics.count(FREEZES, 1);
        logger.log(System.Logger.Level.INFO, "meta-adaptation: froze " + name + " at batch " + client.batchIndex()
                + ": its loss stayed within " + options.freezeTolerance() + " (relative) of its slow mean for "
                + options.freezePatience() + " observations");
        return true;
    }

    private void rule(SupervisedClient client, String name, Track t, double trend) {
        if (trend > options.tolerance()) {
            t.falls = 0;
            setScale(client, name, t, clampScale(t.scale * options.shrink()));
        } else if (trend < -options.tolerance()) {
            t.falls++;
            if (t.falls >= options.patience()) {
                t.falls = 0;
                setScale(client, name, t, clampScale(t.scale * options.grow()));
            }
        } else {
            t.falls = 0;
        }
    }

    private void hypergradient(SupervisedClient client, String name, Track t) {
        double m = t.fast;
        double g = Double.NaN;
        if (t.step2 != 0 && Double.isFinite(t.lastMean)) {
            g = (m - t.lastMean) / Math.max(Math.abs(t.lastMean), TINY) / t.step2;
        }
        double logScale = Math.log(t.scale);
        double step;
        if (Double.isFinite(g) && g != 0) {
            double direction = -Math.signum(g);
            double largest = direction > 0 ? Math.log(options.grow()) : -Math.log(options.shrink());
            step = direction * Math.min(largest, Math.max(options.probe(), options.hyperRate() * Math.abs(g)));
        } else {
            if (logScale >= logMax) {
                t.direction = -1;
            } else if (logScale <= logMin) {
                t.direction = 1;
            }
            step = t.direction * options.probe();
        }
        double target = Math.max(logMin, Math.min(logMax, logScale + step));
        double scale = target == logScale ? t.scale : Math.exp(target);
        if (step != 0) {
            t.direction = Math.signum(step);
        }
        double made = Math.log(scale) - logScale;
        t.step2 = t.step1;
        t.step1 = made;
        t.lastMean = m;
        setScale(client, name, t, scale);
    }

    private double clampScale(double scale) {
        return Math.max(options.minScale(), Math.min(options.maxScale(), scale));
    }

    private void setScale(SupervisedClient client, String name, Track t, double scale) {
        if (!t.supported || scale == t.scale) {
            return;
        }
        if (client.scaleLearningRate(name, scale)) {
            t.scale = scale;
            return;
        }
        t.supported = false;
        t.scale = 1;
        metrics.count(UNSUPPORTED, 1);
        logger.log(System.Logger.Level.INFO, "meta-adaptation: expert " + name + " does not take learning-rate scales; "
                + "it is left at its own rate" + (options.freeze() ? " (freezing still applies)" : ""));
    }

    @Override
    public void saveState(StateWriter out) throws IOException {
        out.writeVersion(STATE_VERSION);
        out.writeLong(freezes);
        out.writeLong(thaws);
        out.writeInt(tracks.size());
        for (Map.Entry<String, Track> e : tracks.entrySet()) {
            Track t = e.getValue();
            out.writeString(e.getKey());
            out.writeBoolean(t.supported);
            out.writeBoolean(t.frozenByMe);
            out.writeDouble(t.scale);
            out.writeDouble(t.fast);
            out.writeDouble(t.slow);
            out.writeLong(t.observations);
            out.writeInt(t.falls);
            out.writeInt(t.flats);
            out.writeDouble(t.lastMean);
            out.writeDouble(t.step1);
            out.writeDouble(t.step2);
            out.writeDouble(t.direction);
        }
    }

    @Override
    public void restoreState(StateReader in) throws IOException {
        in.readVersion("meta-adaptation expert", STATE_VERSION);
        long f = in.readLong();
        long th = in.readLong();
        int n = in.readInt();
        if (f < 0 || th < 0 || n < 0 || n > StateReader.MAX_LENGTH) {
            throw new IOException("meta-adaptation expert checkpoint: corrupt counts (freezes " + f + ", thaws " + th
                    + ", experts " + n + ")");
        }
        Map<String, Track> restored = new LinkedHashMap<>();
        for (int i = 0; i < n; i++) {
            String name = in.readString();
            Track t = new Track();
            t.supported = in.readBoolean();
            t.frozenByMe = in.readBoolean();
            t.scale = in.readDouble();
            t.fast = in.readDouble();
            t.slow = in.readDouble();
            t.observations = in.readLong();
            t.falls = in.readInt();
            t.flats = in.readInt();
            t.lastMean = in.readDouble();
            t.step1 = in.readDouble();
            t.step2 = in.readDouble();
            t.direction = in.readDouble();
            if (name == null || restored.containsKey(name) || !(t.scale >= options.minScale() && t.scale <= options.maxScale())
                    || t.observations < 0 || t.falls < 0 || t.flats < 0 || Math.abs(t.direction) != 1) {
                throw new IOException("meta-adaptation expert checkpoint: corrupt state of expert #" + i + " (" + name + ")");
            }
            restored.put(name, t);
        }
        freezes = f;
        thaws = th;
        tracks.clear();
        tracks.putAll(restored);
    }

    /** The current scale of an expert, 1 if never seen. */
    double scale(String expert) {
        Track t = tracks.get(expert);
        return t == null ? 1 : t.scale;
    }

    /** The relative trend of an expert's loss, NaN before its first observation. */
    double trend(String expert) {
        Track t = tracks.get(expert);
        return t == null || t.observations == 0 ? Double.NaN : (t.fast - t.slow) / Math.max(Math.abs(t.slow), TINY);
    }

    long freezes() {
        return freezes;
    }

    long thaws() {
        return thaws;
    }
}
