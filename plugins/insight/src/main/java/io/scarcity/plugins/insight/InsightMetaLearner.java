package io.scarcity.plugins.insight;

import io.scarcity.api.Checkpointable;
import io.scarcity.api.FeatureMoments;
import io.scarcity.api.ExpertState;
import io.scarcity.api.Insight;
import io.scarcity.api.MergeLaw;
import io.scarcity.api.InsightStore;
import io.scarcity.api.MetaLearner;
import io.scarcity.api.MetaParameters;
import io.scarcity.api.StateReader;
import io.scarcity.api.StateWriter;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;

/**
 * The coordinator's meta-learner. It sees only insights (metadata, never rows) and learns, per
 * domain, from the {@code window} most recent of them, which it keeps itself (see "History" below):
 * <ul>
 *   <li><b>learning-rate hints</b> per expert instance: a population-based search over the log learning
 *       rate. Clients' experts run at different rates (each jitters the hint it gets), and the hint moves
 *       towards the rates under which losses <em>improved</em>. For every client, each report is paired
 *       with the same client's previous report of that expert in the window; the improvement
 *       {@code d = loss_prev - loss} is credited to the rate of the later report (the rate it learned the
 *       round with). Improvements are centred per round ({@code d' = d - mean d over that round's
 *       pairs}), which removes what all clients shared that round (a drift, the common learning curve);
 *       differencing within a client removes how hard its data is, which raw losses confound with the
 *       rate (a client with easy data has low losses at any rate). Rounds with fewer than two pairs
 *       compare nothing and are left out. The hint is the weighted geometric mean
 *       {@code exp(sum_i w_i log lr_i)} with softmax weights {@code w_i ~ trust_i exp((d'_i - max d') / temperature)}.
 *       Until there are such pairs (the first round), it falls back to comparing raw losses: softmin
 *       weights {@code exp(-(loss_i - minLoss) / temperature)} over the reports with a finite positive
 *       rate and a finite loss;</li>
 *   <li><b>router priors</b> per expert instance: the mean reward over its reports with a finite loss,
 *       with reward {@code 1 - loss} when every loss of the window is in [0, 1] (0/1 errors) and
 *       {@code 1 / (1 + loss)} otherwise;</li>
 *   <li><b>normalisation</b>: the clients' feature moments pooled (moments of another dimension than
 *       the first are skipped);</li>
 *   <li><b>values</b>: {@code drift.rate} (mean of the clients' {@code drift.detected} where present),
 *       {@code drift.loss-variance} and {@code drift.loss-scale} (below), {@code clients} (distinct
 *       clients) and {@code insights} (insights used).</li>
 * </ul>
 *
 * <p><b>Drift threshold</b>: {@code drift.loss-variance} is the per-row variance of the mixture's loss
 * within a client's round, pooled over the window's insights,
 * {@code s2 = sum_i t_i n_i L_i (1 - L_i) / sum_i t_i (n_i - 1)} over insights with {@code n_i >= 2} rows
 * and a finite loss {@code L_i} ({@code t_i} the client's consensus weight). For 0/1 losses
 * {@code n L (1 - L)} is exactly a round's sum of squared deviations; for other losses in [0, 1] it is
 * its Bhatia-Davis upper bound. {@code drift.loss-scale} is {@code sqrt(s2 / s2_all)}, the domain's loss
 * noise relative to the same estimate pooled over every domain's window, clamped to [1/2, 2]: drift
 * experts multiply their configured Page-Hinkley threshold and tolerance by it, i.e. run the test on
 * losses standardised to the federation's noise, so every domain gets the same false-alarm probability
 * {@code exp(-2 delta lambda / s2)} and the same power against a change measured in its own noise (see
 * the drift plugin): a noisy domain raises fewer false alarms, a quiet one detects sooner. A ratio is
 * sent rather than a threshold because the threshold depends on each client's {@code delta} and on how
 * its user calibrated {@code lambda}, which the coordinator does not know; with one domain the scale is
 * 1. The clamp bounds how far a window of a few noisy rounds can move a threshold the user chose. Both are sent only when every loss of the
 * windows involved is in [0, 1] (for squared errors the mean says nothing about the spread) and the
 * variances are > 0.
 *
 * <p><b>Warm start from states</b> ({@code warmStart: true}, off by default): clients also upload their
 * gossipable experts' states after each round (what leaves a client then: each expert's exported arrays,
 * e.g. the statistical expert's per-class feature means, variances, priors and counts over its rows). The
 * latest state of every client is kept per domain and expert instance; a client that joins the run late
 * adopts their merge by each expert plugin's law ({@link io.scarcity.api.MergeLaw}), weighted by samples.
 * Live clients adopt nothing: it is not weight sharing, only a start.
 *
 * <p>A client of an unknown domain gets a cold start: the same estimates over the recent insights of
 * every known domain together (normalisation pooled over the moments of the client's dimension).
 *
 * <p><b>History</b>: the window of each domain is this object's own bounded state, updated from each
 * round's insights; the {@link InsightStore} is not re-read. Re-reading it every round cost a database
 * query per domain per round, and after a resume the store may no longer hold insights it trimmed
 * before the interruption. The windows are saved in checkpoints, field by field, with the latest
 * parameters, the clients' consensus weights and the last round ({@link InsightCheckpoint}).
 *
 * <p>The parts: {@link DomainWindows} keeps the windows, {@link ParameterEstimator} proposes a domain's
 * parameters from a window (every estimate a {@link TrustedAverage}), {@link InsightCheckpoint} is the
 * checkpoint format.
 */
final class InsightMetaLearner implements MetaLearner, Checkpointable {
    private final Options options;
    private final Map<String, MetaParameters> latest = new TreeMap<>();
    private final DomainWindows windows;
    private int lastRound;
    /** Latest consensus weight per client (reliability x quality x volume); 1 for clients never weighed. */
    private final Map<String, Double> trust = new TreeMap<>();
    private final ParameterEstimator estimator;
    /** With {@code warmStart}: per domain, per client (pseudonym), the latest uploaded states by expert instance. */
    private final Map<String, Map<String, Map<String, ExpertState>>> uploads = new TreeMap<>();
    private Map<String, MergeLaw> laws = Map.of();

    InsightMetaLearner(Options options) {
        this.options = Objects.requireNonNull(options, "options is null");
        this.windows = new DomainWindows(options.window());
        this.estimator = new ParameterEstimator(options.temperature(), trust);
    }

    /**
     * As {@link #learn(int, List, InsightStore)}, with each client's insights weighted by its consensus
     * weight: a dropped or unreliable client moves the hints and priors less, or not at all.
     */
    @Override
    public Map<String, MetaParameters> learn(int round, List<Insight> insights, InsightStore store,
                                             Map<String, Double> clientWeights) {
        Objects.requireNonNull(clientWeights, "clientWeights is null");
        clientWeights.forEach((client, w) -> trust.put(client, Double.isFinite(w) ? Math.max(0, w) : 0));
        return learn(round, insights, store);
    }

    /**
     * Appends the round's insights to their domains' windows (dropping the oldest beyond {@code window})
     * and re-estimates those domains. The store is not read: see "History" in the class description.
     */
    @Override
    public Map<String, MetaParameters> learn(int round, List<Insight> insights, InsightStore store) {
        Objects.requireNonNull(insights, "insights is null");
        Objects.requireNonNull(store, "store is null");
        Set<String> domains = windows.append(insights);
        double reference = federationVariance();
        Map<String, MetaParameters> out = new TreeMap<>();
        for (String domain : domains) {
            MetaParameters parameters = estimator.estimate(domain, round, windows.of(domain), -1, reference);
            latest.put(domain, parameters);
            out.put(domain, parameters);
        }
        lastRound = Math.max(lastRound, round);
        return out;
    }

    @Override
    public boolean warmStartsFromStates() {
        return options.warmStart();
    }

    @Override
    public void useMergeLaws(Map<String, MergeLaw> laws) {
        this.laws = Map.copyOf(Objects.requireNonNull(laws, "laws is null"));
    }

    /** Keeps the client's latest states (with {@code warmStart}); states with a non-finite value are ignored. */
    @Override
    public void receiveStates(int round, String client, String domain, Map<String, ExpertState> states) {
        Objects.requireNonNull(client, "client is null");
        Objects.requireNonNull(domain, "domain is null");
        Objects.requireNonNull(states, "states is null");
        if (!options.warmStart()) {
            return;
        }
        Map<String, ExpertState> mine = uploads.computeIfAbsent(domain, d -> new TreeMap<>()).computeIfAbsent(client, c -> new TreeMap<>());
        states.forEach((expert, state) -> {
            if (state.isFinite()) {
                mine.put(expert, state);
            }
        });
    }

    /**
     * The states a client joining the domain starts from: per expert instance, the merge of every client's
     * latest state by the plugin's law, weighted by samples, clients in pseudonym order (those whose arrays
     * have the shapes of the state with most samples). Empty before any upload.
     */
    @Override
    public Map<String, ExpertState> statesFor(String domain) {
        Objects.requireNonNull(domain, "domain is null");
        Map<String, List<ExpertState>> byExpert = new TreeMap<>();
        uploads.getOrDefault(domain, Map.of()).values().forEach(states ->
                states.forEach((expert, state) -> byExpert.computeIfAbsent(expert, e -> new ArrayList<>()).add(state)));
        Map<String, ExpertState> out = new TreeMap<>();
        byExpert.forEach((expert, all) -> {
            // a client of another configuration (other shapes) is left out: the shapes of the state with most samples
            ExpertState major = all.get(0);
            for (ExpertState s : all) {
                if (s.samples() > major.samples()) {
                    major = s;
                }
            }
            List<ExpertState> states = new ArrayList<>();
            for (ExpertState s : all) {
                if (s.sameShapes(major)) {
                    states.add(s);
                }
            }
            double[] weights = new double[states.size()];
            for (int i = 0; i < weights.length; i++) {
                weights[i] = states.get(i).samples();
            }
            out.put(expert, laws.getOrDefault(major.expert(), MergeLaw.MEAN).merge(states, weights));
        });
        return out;
    }

    @Override
    public MetaParameters parametersFor(String domain, int features) {
        Objects.requireNonNull(domain, "domain is null");
        if (features < 0) {
            throw new IllegalArgumentException("features must be >= 0, got " + features);
        }
        MetaParameters known = latest.get(domain);
        if (known != null) {
            return sized(known, features);
        }
        List<Insight> union = windows.union();
        if (union.isEmpty()) {
            return MetaParameters.none(domain, features);
        }
        return sized(estimator.estimate(domain, lastRound, union, features, federationVariance()), features);
    }

    /** The loss variance pooled over the windows of every domain whose losses are all in [0, 1]; NaN if none. */
    private double federationVariance() {
        return estimator.lossVariance(windows.unionOfUnitLosses());
    }

    /** The parameters with zero-count moments of the client's size if the pooled ones do not fit. */
    private static MetaParameters sized(MetaParameters p, int features) {
        if (p.normalisation().dimensions() == features) {
            return p;
        }
        return new MetaParameters(p.domain(), p.round(), p.learningRates(), p.routerPriors(),
                new FeatureMoments(0, new double[features], new double[features]), p.values());
    }

    // ---------------------------------------------------------------- checkpoints

    @Override
    public void saveState(StateWriter out) throws IOException {
        InsightCheckpoint.write(out, lastRound, trust, windows.byDomain(), latest.values(), uploads);
    }

    /** Reads what {@link #saveState} wrote; a refused checkpoint leaves the learner as it was. */
    @Override
    public void restoreState(StateReader in) throws IOException {
        InsightCheckpoint.State state = InsightCheckpoint.read(in, options.window());
        lastRound = state.lastRound();
        trust.clear();
        trust.putAll(state.trust());
        windows.replaceWith(state.windows());
        latest.clear();
        latest.putAll(state.latest());
        uploads.clear();
        uploads.putAll(state.uploads());
    }
}
