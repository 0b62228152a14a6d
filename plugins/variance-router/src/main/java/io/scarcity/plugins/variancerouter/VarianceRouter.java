package io.scarcity.plugins.variancerouter;

import io.scarcity.api.Checkpointable;
import io.scarcity.api.MetricsSink;
import io.scarcity.api.Router;
import io.scarcity.api.Routers;
import io.scarcity.api.Routing;
import io.scarcity.api.RoutingContext;
import io.scarcity.api.RoutingFeatures;
import io.scarcity.api.StateReader;
import io.scarcity.api.StateWriter;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The design's simple variance rule. For each batch it takes the {@code spread} component of
 * {@link RoutingFeatures}, {@code s / (1 + s)} with {@code s} the mean over features of the batch's own
 * variance divided by the stream's running variance (about 0.5 for an ordinary batch, lower for a
 * homogeneous one, higher for a scattered one; 0.5 on the first batch). If
 * {@code spread >= threshold} the batch goes to the {@code high} experts, otherwise to the {@code low}
 * ones: the active experts are the listed names present among the (distinct) candidates, in candidate
 * order, with equal weights. If the chosen list names no current candidate (or was not configured while
 * the other was), every candidate is active. If neither list is configured, the first candidate serves
 * high-variance batches and the second (the first, if it is alone) low-variance ones.
 *
 * <p>Options: {@code threshold} (default 0.5, in [0, 1]); {@code high} and {@code low}, lists of
 * expert instance names (default: not set). A name in both lists, a name listed twice or an empty list
 * is an error. It learns nothing: {@link #reward} and {@link #adoptPriors} are ignored.
 *
 * <p>Metrics: {@code variance.spread} (gauge, the last batch's spread), {@code variance.high} (batches
 * routed as high-variance) and {@code variance.fallback} (batches whose list named no candidate, routed to
 * all). The checkpoint holds the format version (not the options: the
 * runtime resumes only under the same config) and the running statistics of the {@link RoutingFeatures}.
 *
 * <p>Use it when it is known beforehand which experts suit scattered batches (robust, wide models) and
 * which suit homogeneous ones (sharp, local models); it is the hand-written baseline a contextual learning
 * router (LinUCB, a gate) should match without being told.
 */
final class VarianceRouter implements Router, Checkpointable {
    /** Version of the checkpoint format written by {@link #saveState}; 2 left the options out. */
    static final int STATE_VERSION = 2;

    private static final int SPREAD = RoutingFeatures.NAMES.indexOf("spread");

    private final Options options;
    private final MetricsSink metrics;
    private RoutingFeatures features = new RoutingFeatures();

    VarianceRouter(Options options, MetricsSink metrics) {
        this.options = Objects.requireNonNull(options, "options is null");
        this.metrics = Objects.requireNonNull(metrics, "metrics is null");
    }

    @Override
    public Routing route(RoutingContext context) {
        List<String> candidates = Routers.distinctCandidates(context);
        double spread = features.extract(context)[SPREAD];
        metrics.gauge("variance.spread", spread);
        boolean high = spread >= options.threshold();
        if (high) {
            metrics.count("variance.high", 1);
        }
        List<String> chosen;
        if (options.unconfigured()) {
            chosen = List.of(candidates.get(high || candidates.size() == 1 ? 0 : 1));
        } else {
            List<String> listed = high ? options.high() : options.low();
            chosen = listed == null ? List.of() : candidates.stream().filter(listed::contains).toList();
        }
        if (chosen.isEmpty()) {
            metrics.count("variance.fallback", 1);
            chosen = candidates;
        }
        return Routing.uniform(chosen);
    }

    /** Ignored: the rule does not learn. */
    @Override
    public void reward(Routing routing, Map<String, Double> rewards) {
        Objects.requireNonNull(routing, "routing is null");
        Objects.requireNonNull(rewards, "rewards is null");
    }

    /** Ignored: the rule does not learn. */
    @Override
    public void adoptPriors(Map<String, Double> priors, double weight) {
        Objects.requireNonNull(priors, "priors is null");
    }

    @Override
    public void saveState(StateWriter out) throws IOException {
        out.writeVersion(STATE_VERSION);
        features.save(out);
    }

    @Override
    public void restoreState(StateReader in) throws IOException {
        in.readVersion("variance router", STATE_VERSION);
        // Replaced only after a complete read, so that a failed restore leaves the router as it was.
        RoutingFeatures restored = new RoutingFeatures();
        restored.restore(in);
        features = restored;
    }

}
