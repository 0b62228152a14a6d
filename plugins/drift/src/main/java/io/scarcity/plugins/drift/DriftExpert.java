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
import java.util.Objects;
import java.util.Set;

/**
 * An analyser that watches the mixture's per-row losses with a {@link PageHinkley} test and publishes
 * {@code drift.detected} (1 on the batch where an increase of the mean loss is detected, then the test
 * restarts), {@code drift.warning} (1 while the statistic is above {@code warningFraction * lambda})
 * and {@code drift.score} ({@code min(1, statistic / lambda)}). Losses are on the scale the runtime
 * gives (0/1 errors for classification, squared errors for regression), so {@code lambda} and
 * {@code delta} are too. An unlabelled batch changes nothing and reports no detection.
 *
 * <p><b>Threshold from the coordinator</b> ({@link #adapt}): the configured {@code lambda} and
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
 * <p>Checkpoints ({@link Checkpointable}): the options (checked on restore), the test's threshold,
 * tolerance, count, mean, sum and minimum, and the number of detections.
 */
final class DriftExpert implements Expert, Checkpointable {
    static final String LAMBDA_VALUE = "drift.lambda";
    static final String LOSS_SCALE_VALUE = "drift.loss-scale";
    /** Format of {@link #saveState}; bump when it changes. */
    static final int STATE_VERSION = 1;
    private static final ExpertCapabilities CAPABILITIES = new ExpertCapabilities(false, false, Set.of(),
            Set.of(StandardSignals.DRIFT_SCORE, StandardSignals.DRIFT_DETECTED, StandardSignals.DRIFT_WARNING));

    private final Options options;
    private final PageHinkley test;
    private final MetricsSink metrics;
    private long detections;

    DriftExpert(Options options, MetricsSink metrics) {
        this.options = Objects.requireNonNull(options, "options is null");
        this.metrics = Objects.requireNonNull(metrics, "metrics is null");
        this.test = new PageHinkley(options.delta(), options.lambda(), options.alpha(), options.minInstances());
    }

    @Override
    public ExpertCapabilities capabilities() {
        return CAPABILITIES;
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
            if (test.add(loss)) {
                detected = true;
                detections++;
                metrics.count("drift.detections", 1);
            }
        }
        double statistic = test.statistic();
        double lambda = test.lambda();
        signals.publish(StandardSignals.DRIFT_DETECTED, detected ? 1.0 : 0.0);
        signals.publish(StandardSignals.DRIFT_WARNING, statistic > options.warningFraction() * lambda ? 1.0 : 0.0);
        signals.publish(StandardSignals.DRIFT_SCORE, Math.min(1.0, statistic / lambda));
    }

    /**
     * Takes the threshold {@code drift.lambda} when it is finite and > 0, otherwise scales the configured
     * threshold and tolerance by {@code drift.loss-scale} when that is finite and > 0 (see the class
     * description); without either, both stay.
     */
    @Override
    public void adapt(MetaParameters parameters, String instanceName) {
        Objects.requireNonNull(parameters, "parameters is null");
        Double lambda = parameters.values().get(LAMBDA_VALUE);
        if (lambda != null && Double.isFinite(lambda) && lambda > 0) {
            test.lambda(lambda);
            return;
        }
        Double scale = parameters.values().get(LOSS_SCALE_VALUE);
        if (scale != null && Double.isFinite(scale) && scale > 0) {
            double scaled = scale * options.lambda();
            if (scaled > 0 && Double.isFinite(scaled)) {
                test.lambda(scaled);
                test.delta(scale * options.delta());
            }
        }
    }

    @Override
    public void saveState(StateWriter out) throws IOException {
        out.writeInt(STATE_VERSION);
        writeOptions(out);
        test.save(out);
        out.writeLong(detections);
    }

    @Override
    public void restoreState(StateReader in) throws IOException {
        int version = in.readInt();
        if (version != STATE_VERSION) {
            throw new IOException("drift expert checkpoint: unknown format version " + version + " (this version reads "
                    + STATE_VERSION + ")");
        }
        checkOptions(in);
        test.restore(in);
        long d = in.readLong();
        if (d < 0) {
            throw new IOException("drift expert checkpoint: negative detection count " + d);
        }
        detections = d;
    }

    private void writeOptions(StateWriter out) throws IOException {
        out.writeDouble(options.delta());
        out.writeDouble(options.lambda());
        out.writeDouble(options.alpha());
        out.writeInt(options.minInstances());
        out.writeDouble(options.warningFraction());
    }

    /** A checkpoint written with other options would continue a different test: refuse it, naming the option. */
    private void checkOptions(StateReader in) throws IOException {
        in.expectDouble("drift expert", "delta", options.delta());
        in.expectDouble("drift expert", "lambda", options.lambda());
        in.expectDouble("drift expert", "alpha", options.alpha());
        in.expectInt("drift expert", "minInstances", options.minInstances());
        in.expectDouble("drift expert", "warningFraction", options.warningFraction());
    }

    /** Changes detected since creation. */
    long detections() {
        return detections;
    }

    /** The threshold in use. */
    double lambda() {
        return test.lambda();
    }

    /** The tolerance in use. */
    double delta() {
        return test.delta();
    }
}
