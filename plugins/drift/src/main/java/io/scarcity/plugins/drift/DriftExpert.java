package io.scarcity.plugins.drift;

import io.scarcity.api.Batch;
import io.scarcity.api.BatchOutcome;
import io.scarcity.api.Expert;
import io.scarcity.api.ExpertCapabilities;
import io.scarcity.api.MetaParameters;
import io.scarcity.api.MetricsSink;
import io.scarcity.api.SignalBoard;
import io.scarcity.api.StandardSignals;
import java.util.Objects;
import java.util.Set;

/**
 * An analyser that watches the mixture's per-row losses with a {@link PageHinkley} test and publishes
 * {@code drift.detected} (1 on the batch where an increase of the mean loss is detected, then the test
 * restarts), {@code drift.warning} (1 while the statistic is above {@code warningFraction * lambda})
 * and {@code drift.score} ({@code min(1, statistic / lambda)}). Losses are on the scale the runtime
 * gives (0/1 errors for classification, squared errors for regression), so {@code lambda} and
 * {@code delta} are too. An unlabelled batch changes nothing and reports no detection.
 */
final class DriftExpert implements Expert {
    static final String LAMBDA_VALUE = "drift.lambda";
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

    /** Takes the threshold {@code drift.lambda} from the meta-parameters' values when it is finite and > 0. */
    @Override
    public void adapt(MetaParameters parameters, String instanceName) {
        Objects.requireNonNull(parameters, "parameters is null");
        Double lambda = parameters.values().get(LAMBDA_VALUE);
        if (lambda != null && Double.isFinite(lambda) && lambda > 0) {
            test.lambda(lambda);
        }
    }

    /** Changes detected since creation. */
    long detections() {
        return detections;
    }

    /** The threshold in use. */
    double lambda() {
        return test.lambda();
    }
}
