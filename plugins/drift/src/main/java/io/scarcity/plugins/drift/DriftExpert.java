package io.scarcity.plugins.drift;

import io.scarcity.api.Batch;
import io.scarcity.api.BatchOutcome;
import io.scarcity.api.Checkpointable;
import io.scarcity.api.Expert;
import io.scarcity.api.ExpertCapabilities;
import io.scarcity.api.MetaParameters;
import io.scarcity.api.MetricsSink;
import io.scarcity.api.SignalBoard;
import io.scarcity.api.StandardSignals;
import io.scarcity.api.StateReader;
import io.scarcity.api.StateWriter;
import java.io.IOException;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;

/**
 * An analyser that watches the mixture's per-row losses with a change detector and, optionally, the
 * distribution of each input feature, and publishes what it finds on the signal board.
 *
 * <p><b>Loss detector</b> ({@code detector}): {@link PageHinkley} (default), {@link Adwin} or {@link Ddm}, fed
 * every finite per-row loss in order. Each looks for an increase of the mean loss. Signals:
 * {@code drift.detected} (1 on the batch where a change is detected, else 0; Page-Hinkley and DDM then
 * restart, ADWIN has already dropped the older part of its window), {@code drift.warning} (1 while the
 * detector is in its warning zone) and {@code drift.score} ({@code min(1, level)}, where level 1 is the
 * detection threshold: Page-Hinkley's statistic over {@code lambda}, ADWIN's largest increase between two
 * sub-windows over its bound, DDM's excess of {@code p + s} over {@code p_min + s_min} in units of
 * {@code (driftLevel - 1) s_min}). Losses are on the scale the runtime gives (0/1 errors for
 * classification, squared errors for regression). An unlabelled batch changes nothing in the loss
 * detector and reports no detection.
 *
 * <p><b>Feature drift</b> ({@code featureDrift: true}, see {@link FeatureDrift}): per feature, a symmetric
 * KL divergence between the histogram of a reference window and that of a sliding recent window,
 * checked once per batch, labelled or not. Signals: {@code drift.kl} (the largest divergence over the
 * features, 0 while the windows fill), {@code drift.kl-feature} (index of that feature in the schema, -1
 * while the windows fill) and {@code drift.feature-detected} (1 on the batch where some feature's
 * divergence exceeds {@code klThreshold}). On such an event the expert counts
 * {@code drift.feature-detections} and {@code drift.kl.<feature name>} for every feature over the
 * threshold, logs their names and divergences, and both windows restart. Feature drift does not raise
 * {@code drift.detected}: that signal makes the experts forget, which a change of the inputs that does
 * not hurt the loss does not call for; a reader that wants both reads both.
 *
 * <p><b>Threshold from the coordinator</b> ({@link #adapt}, Page-Hinkley only: ADWIN's bound and DDM's
 * control chart are already in units of the loss's own spread): the configured {@code lambda} and
 * {@code delta} are used until the coordinator sends something, and whenever it sends nothing usable.
 * Two values are understood:
 * <ul>
 *   <li>{@code drift.lambda}: an explicit threshold, taken as it is when finite and > 0;</li>
 *   <li>otherwise {@code drift.loss-scale} {@code k}: the test runs as if on losses divided by {@code k},
 *       that is with threshold {@code k * lambda} and tolerance {@code k * delta} (the configured ones, so
 *       scales never compound). The {@code insight} meta-learner sends {@code k = s_domain / s_all}, the
 *       standard deviation of the per-row loss in the client's domain over that of all domains. The
 *       configured {@code lambda} and {@code delta} are thereby taken to be calibrated for the
 *       federation's average loss noise, and every domain runs the same standardised test: the same
 *       false-alarm probability (about {@code exp(-2 delta lambda / s2)} per excursion, Lundberg's bound,
 *       which is unchanged when {@code lambda}, {@code delta} and {@code s} scale together) and the same
 *       power against a change of a given size in units of its own noise. A noisy domain no longer
 *       raises more false alarms than a quiet one, and a quiet one detects a small change sooner. A ratio
 *       is sent rather than a threshold because the threshold depends on each client's {@code delta} and
 *       on how its user calibrated {@code lambda}, which the coordinator does not know; with a single
 *       domain the scale is 1.</li>
 * </ul>
 * A new threshold applies from the next row on; the running statistic is kept.
 *
 * <p>Checkpoints ({@link Checkpointable}, format 2): the options (checked on restore), the detector's
 * state, the number of detections, and with feature drift the windows, histograms and last
 * divergences. Format 1 (Page-Hinkley without feature drift, before format 2) is still read.
 */
final class DriftExpert implements Expert, Checkpointable {
    static final String LAMBDA_VALUE = "drift.lambda";
    static final String LOSS_SCALE_VALUE = "drift.loss-scale";
    /** Largest symmetric KL divergence over the features at the last check. */
    static final String KL_SIGNAL = "drift.kl";
    /** Index of the feature with the largest divergence at the last check. */
    static final String KL_FEATURE_SIGNAL = "drift.kl-feature";
    /** 1 on the batch where a feature's divergence exceeds the threshold. */
    static final String FEATURE_DETECTED_SIGNAL = "drift.feature-detected";
    /** Format of {@link #saveState}; bump when it changes. 3 left the options out. */
    static final int STATE_VERSION = 3;
    private static final Set<String> LOSS_SIGNALS = Set.of(StandardSignals.DRIFT_SCORE, StandardSignals.DRIFT_DETECTED,
            StandardSignals.DRIFT_WARNING);
    private static final Set<String> ALL_SIGNALS = Set.of(StandardSignals.DRIFT_SCORE, StandardSignals.DRIFT_DETECTED,
            StandardSignals.DRIFT_WARNING, KL_SIGNAL, KL_FEATURE_SIGNAL, FEATURE_DETECTED_SIGNAL);

    private final Options options;
    private final LossDetector detector;
    private final PageHinkley pageHinkley;   // the detector when it is Page-Hinkley, else null
    private final MetricsSink metrics;
    private final System.Logger logger;
    private final ExpertCapabilities capabilities;
    private FeatureDrift features;           // with featureDrift, built on the first batch
    private long detections;
    private long featureDetections;

    DriftExpert(Options options, MetricsSink metrics) {
        this(options, metrics, System.getLogger("io.scarcity.plugin"));
    }

    DriftExpert(Options options, MetricsSink metrics, System.Logger logger) {
        this.options = Objects.requireNonNull(options, "options is null");
        this.metrics = Objects.requireNonNull(metrics, "metrics is null");
        this.logger = Objects.requireNonNull(logger, "logger is null");
        switch (options.detector()) {
            case Options.ADWIN -> {
                detector = new Adwin(options.adwinDelta(), options.warningFraction());
                pageHinkley = null;
            }
            case Options.DDM -> {
                detector = new Ddm(options.minInstances(), options.warningLevel(), options.driftLevel());
                pageHinkley = null;
            }
            default -> {
                pageHinkley = new PageHinkley(options.delta(), options.lambda(), options.alpha(), options.minInstances(),
                        options.warningFraction());
                detector = pageHinkley;
            }
        }
        // without labels only the features can drift
        this.capabilities = new ExpertCapabilities(false, false, Set.of(), options.featureDrift() ? ALL_SIGNALS : LOSS_SIGNALS,
                options.featureDrift());
    }

    @Override
    public ExpertCapabilities capabilities() {
        return capabilities;
    }

    @Override
    public void learn(Batch batch, BatchOutcome outcome, SignalBoard signals) {
        Objects.requireNonNull(batch, "batch is null");
        Objects.requireNonNull(outcome, "outcome is null");
        Objects.requireNonNull(signals, "signals is null");
        boolean detected = false;
        for (int i = 0; i < outcome.size(); i++) {
            double loss = outcome.rowLoss(i);
            if (!Double.isFinite(loss)) {
                continue;
            }
            if (detector.add(loss)) {
                detected = true;
                detections++;
                metrics.count("drift.detections", 1);
            }
        }
        signals.publish(StandardSignals.DRIFT_DETECTED, detected ? 1.0 : 0.0);
        signals.publish(StandardSignals.DRIFT_WARNING, detector.warning() ? 1.0 : 0.0);
        signals.publish(StandardSignals.DRIFT_SCORE, Math.min(1.0, detector.level()));
        if (options.featureDrift()) {
            watchFeatures(batch, signals);
        }
    }

    private void watchFeatures(Batch batch, SignalBoard signals) {
        if (features == null) {
            features = newFeatureDrift(batch.numFeatures());
        }
        features.add(batch);
        boolean event = features.check();
        signals.publish(KL_SIGNAL, features.max());
        signals.publish(KL_FEATURE_SIGNAL, features.worst());
        signals.publish(FEATURE_DETECTED_SIGNAL, event ? 1.0 : 0.0);
        if (!event) {
            return;
        }
        featureDetections++;
        metrics.count("drift.feature-detections", 1);
        double[] kl = features.divergences();
        List<String> names = batch.schema().featureNames();
        StringBuilder drifted = new StringBuilder();
        for (int f = 0; f < kl.length; f++) {
            if (kl[f] > options.klThreshold()) {
                metrics.count("drift.kl." + names.get(f), 1);
                drifted.append(drifted.length() == 0 ? "" : ", ").append(names.get(f))
                        .append(String.format(Locale.ROOT, " (KL %.3f)", kl[f]));
            }
        }
        logger.log(System.Logger.Level.INFO, "feature drift in domain " + batch.domain() + " by row "
                + (batch.firstRow() + batch.rows()) + ": " + drifted + " over klThreshold " + options.klThreshold()
                + "; the reference window restarts");
    }

    private FeatureDrift newFeatureDrift(int numFeatures) {
        return new FeatureDrift(numFeatures, options.referenceRows(), options.recentRows(), options.bins(),
                options.klThreshold(), options.smoothing());
    }

    /**
     * Page-Hinkley only: takes the threshold {@code drift.lambda} when it is finite and > 0, otherwise
     * scales the configured threshold and tolerance by {@code drift.loss-scale} when that is finite and
     * > 0 (see the class description); without either, both stay. Other detectors ignore both.
     */
    @Override
    public void adapt(MetaParameters parameters, String instanceName) {
        Objects.requireNonNull(parameters, "parameters is null");
        if (pageHinkley == null) {
            return;
        }
        Double lambda = parameters.values().get(LAMBDA_VALUE);
        if (lambda != null && Double.isFinite(lambda) && lambda > 0) {
            pageHinkley.lambda(lambda);
            return;
        }
        Double scale = parameters.values().get(LOSS_SCALE_VALUE);
        if (scale != null && Double.isFinite(scale) && scale > 0) {
            double scaled = scale * options.lambda();
            if (scaled > 0 && Double.isFinite(scaled)) {
                pageHinkley.lambda(scaled);
                pageHinkley.delta(scale * options.delta());
            }
        }
    }

    @Override
    public void saveState(StateWriter out) throws IOException {
        out.writeVersion(STATE_VERSION);
        detector.save(out);
        out.writeLong(detections);
        if (options.featureDrift()) {
            out.writeLong(featureDetections);
            out.writeBoolean(features != null);
            if (features != null) {
                features.save(out);
            }
        }
    }

    @Override
    public void restoreState(StateReader in) throws IOException {
        in.readVersion("drift expert", STATE_VERSION);
        detector.restore(in);
        long d = in.readLong();
        if (d < 0) {
            throw new IOException("drift expert checkpoint: negative detection count " + d);
        }
        detections = d;
        if (!options.featureDrift()) {
            return;
        }
        long fd = in.readLong();
        if (fd < 0) {
            throw new IOException("drift expert checkpoint: negative feature detection count " + fd);
        }
        featureDetections = fd;
        if (!in.readBoolean()) {
            features = null;
            return;
        }
        int numFeatures = in.readInt();
        if (numFeatures < 1 || numFeatures > StateReader.MAX_LENGTH / Math.max(options.referenceRows(), options.recentRows())) {
            throw new IOException("drift expert checkpoint: invalid feature count " + numFeatures);
        }
        FeatureDrift restored = newFeatureDrift(numFeatures);
        restored.restore(in);
        features = restored;
    }

    /** Changes detected on the loss since creation. */
    long detections() {
        return detections;
    }

    /** Feature drift events since creation. */
    long featureDetections() {
        return featureDetections;
    }

    /** Page-Hinkley's threshold in use; NaN for another detector. */
    double lambda() {
        return pageHinkley == null ? Double.NaN : pageHinkley.lambda();
    }

    /** Page-Hinkley's tolerance in use; NaN for another detector. */
    double delta() {
        return pageHinkley == null ? Double.NaN : pageHinkley.delta();
    }
}
