package io.scarcity.plugins.insight;

import io.scarcity.api.Checkpointable;
import io.scarcity.api.ExpertReport;
import io.scarcity.api.FeatureMoments;
import io.scarcity.api.Insight;
import io.scarcity.api.InsightStore;
import io.scarcity.api.MetaLearner;
import io.scarcity.api.MetaParameters;
import io.scarcity.api.StandardSignals;
import io.scarcity.api.StateReader;
import io.scarcity.api.StateWriter;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

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
 * <p>A client of an unknown domain gets a cold start: the same estimates over the recent insights of
 * every known domain together (normalisation pooled over the moments of the client's dimension).
 *
 * <p><b>History</b>: the window of each domain is this object's own bounded state, updated from each
 * round's insights; the {@link InsightStore} is not re-read. Re-reading it every round cost a database
 * query per domain per round, and after a resume the store may no longer hold insights it trimmed
 * before the interruption. The windows are saved in checkpoints, field by field, with the latest
 * parameters, the clients' consensus weights and the last round.
 */
final class InsightMetaLearner implements MetaLearner, Checkpointable {
    static final String DRIFT_RATE = "drift.rate";
    static final String LOSS_VARIANCE = "drift.loss-variance";
    static final String LOSS_SCALE = "drift.loss-scale";
    /** {@code drift.loss-scale} stays within [1/2, 2]: thresholds within a factor 2 of what the user configured. */
    static final double MAX_LOSS_SCALE = 2.0;
    static final String CLIENTS = "clients";
    static final String INSIGHTS = "insights";
    /** Format of {@link #saveState}; bump when it changes. 2 left the options out. */
    static final int STATE_VERSION = 2;

    private final Options options;
    private final Map<String, MetaParameters> latest = new TreeMap<>();
    /** Per domain, the {@code window} most recent insights, oldest first. */
    private final Map<String, ArrayDeque<Insight>> windows = new TreeMap<>();
    private int lastRound;
    /** Latest consensus weight per client (reliability x quality x volume); 1 for clients never weighed. */
    private final Map<String, Double> trust = new TreeMap<>();

    InsightMetaLearner(Options options) {
        this.options = Objects.requireNonNull(options, "options is null");
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

    private double trustOf(Insight insight) {
        return trust.getOrDefault(insight.client(), 1.0);
    }

    /**
     * Appends the round's insights to their domains' windows (dropping the oldest beyond {@code window})
     * and re-estimates those domains. The store is not read: see "History" in the class description.
     */
    @Override
    public Map<String, MetaParameters> learn(int round, List<Insight> insights, InsightStore store) {
        Objects.requireNonNull(insights, "insights is null");
        Objects.requireNonNull(store, "store is null");
        Set<String> domains = new TreeSet<>();
        for (Insight insight : insights) {
            Objects.requireNonNull(insight, "insight is null");
            domains.add(insight.domain());
            ArrayDeque<Insight> window = windows.computeIfAbsent(insight.domain(), d -> new ArrayDeque<>());
            window.addLast(insight);
            if (window.size() > options.window()) {
                window.removeFirst();
            }
        }
        double reference = federationVariance();
        Map<String, MetaParameters> out = new TreeMap<>();
        for (String domain : domains) {
            MetaParameters parameters = estimate(domain, round, List.copyOf(windows.get(domain)), -1, reference);
            latest.put(domain, parameters);
            out.put(domain, parameters);
        }
        lastRound = Math.max(lastRound, round);
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
        List<Insight> union = new ArrayList<>();
        for (ArrayDeque<Insight> window : windows.values()) {
            union.addAll(window);
        }
        if (union.isEmpty()) {
            return MetaParameters.none(domain, features);
        }
        return sized(estimate(domain, lastRound, union, features, federationVariance()), features);
    }

    /** The loss variance pooled over the windows of every domain whose losses are all in [0, 1]; NaN if none. */
    private double federationVariance() {
        List<Insight> union = new ArrayList<>();
        for (ArrayDeque<Insight> window : windows.values()) {
            List<Insight> w = List.copyOf(window);
            if (unitLosses(w)) {
                union.addAll(w);
            }
        }
        return lossVariance(union);
    }

    private static boolean unitLosses(List<Insight> insights) {
        boolean unit = true;
        for (Insight insight : insights) {
            unit &= inUnitRange(insight.loss());
            for (ExpertReport report : insight.experts().values()) {
                unit &= inUnitRange(report.loss());
            }
        }
        return unit;
    }

    /** The parameters with zero-count moments of the client's size if the pooled ones do not fit. */
    private static MetaParameters sized(MetaParameters p, int features) {
        if (p.normalisation().dimensions() == features) {
            return p;
        }
        return new MetaParameters(p.domain(), p.round(), p.learningRates(), p.routerPriors(),
                new FeatureMoments(0, new double[features], new double[features]), p.values());
    }

    /**
     * Estimates parameters from a list of insights, oldest first.
     *
     * @param dimension the feature dimension to pool moments of, or -1 for that of the first insight
     * @param reference the loss variance over all domains, for {@code drift.loss-scale} (NaN: none)
     */
    private MetaParameters estimate(String domain, int round, List<Insight> insights, int dimension, double reference) {
        boolean unitLosses = unitLosses(insights);
        Map<String, Double> learningRates = new TreeMap<>();
        Map<String, Double> priors = new TreeMap<>();
        Set<String> experts = new TreeSet<>();
        for (Insight insight : insights) {
            experts.addAll(insight.experts().keySet());
        }
        for (String expert : experts) {
            double hint = learningRateHint(expert, insights);
            if (!Double.isNaN(hint)) {
                learningRates.put(expert, hint);
            }
            double prior = meanReward(expert, insights, unitLosses);
            if (!Double.isNaN(prior)) {
                priors.put(expert, prior);
            }
        }
        Map<String, Double> values = new TreeMap<>();
        double driftSum = 0;
        int driftCount = 0;
        Set<String> clients = new HashSet<>();
        for (Insight insight : insights) {
            clients.add(insight.client());
            Double detected = insight.signals().get(StandardSignals.DRIFT_DETECTED);
            if (detected != null && Double.isFinite(detected)) {
                driftSum += detected;
                driftCount++;
            }
        }
        if (driftCount > 0) {
            values.put(DRIFT_RATE, driftSum / driftCount);
        }
        if (unitLosses) {
            double variance = lossVariance(insights);
            if (variance > 0) {
                values.put(LOSS_VARIANCE, variance);
                if (reference > 0) {
                    values.put(LOSS_SCALE, Math.min(MAX_LOSS_SCALE, Math.max(1 / MAX_LOSS_SCALE, Math.sqrt(variance / reference))));
                }
            }
        }
        values.put(CLIENTS, (double) clients.size());
        values.put(INSIGHTS, (double) insights.size());
        return new MetaParameters(domain, round, learningRates, priors, pooledMoments(insights, dimension), values);
    }

    private static boolean inUnitRange(double loss) {
        return !Double.isFinite(loss) || (loss >= 0 && loss <= 1);
    }

    /**
     * Pooled within-round per-row variance of the mixture's unit-range loss (see the class description);
     * NaN without an insight of at least two rows with a finite loss.
     */
    private double lossVariance(List<Insight> insights) {
        double squares = 0;
        double freedom = 0;
        double plainSquares = 0;
        double plainFreedom = 0;
        for (Insight insight : insights) {
            double loss = insight.loss();
            if (insight.samples() < 2 || !Double.isFinite(loss)) {
                continue;
            }
            double ss = insight.samples() * loss * (1 - loss);
            plainSquares += ss;
            plainFreedom += insight.samples() - 1;
            double t = trustOf(insight);
            squares += t * ss;
            freedom += t * (insight.samples() - 1);
        }
        if (plainFreedom == 0) {
            return Double.NaN;
        }
        // As for the other estimates: nobody trusted at all gives the unweighted estimate, not nothing.
        return freedom > 0 ? squares / freedom : plainSquares / plainFreedom;
    }

    /**
     * The rate hint of an expert: from improvements between a client's consecutive reports when some round
     * has two or more of them, else from raw losses; NaN without usable reports.
     */
    private double learningRateHint(String expert, List<Insight> insights) {
        double fromImprovements = improvementHint(expert, insights);
        return Double.isNaN(fromImprovements) ? rawLossHint(expert, insights) : fromImprovements;
    }

    /** One report credited with the change of its client's loss since that client's previous report. */
    private record Improvement(int round, double improvement, double logRate, double trust) {
    }

    private double improvementHint(String expert, List<Insight> insights) {
        Map<String, ExpertReport> previous = new HashMap<>();
        Map<Integer, List<Improvement>> byRound = new TreeMap<>();
        for (Insight insight : insights) {
            ExpertReport r = insight.experts().get(expert);
            if (!usableRate(r)) {
                continue;
            }
            ExpertReport before = previous.put(insight.client(), r);
            if (before != null) {
                byRound.computeIfAbsent(insight.round(), k -> new ArrayList<>()).add(new Improvement(insight.round(),
                        before.loss() - r.loss(), Math.log(r.learningRate()), trustOf(insight)));
            }
        }
        List<Improvement> centred = new ArrayList<>();
        double max = Double.NEGATIVE_INFINITY;
        for (List<Improvement> round : byRound.values()) {
            if (round.size() < 2) {
                continue;
            }
            double mean = 0;
            for (Improvement i : round) {
                mean += i.improvement() / round.size();
            }
            for (Improvement i : round) {
                Improvement c = new Improvement(i.round(), i.improvement() - mean, i.logRate(), i.trust());
                centred.add(c);
                max = Math.max(max, c.improvement());
            }
        }
        if (centred.isEmpty()) {
            return Double.NaN;
        }
        double weightSum = 0;
        double logSum = 0;
        double plainSum = 0;
        double plainLog = 0;
        for (Improvement i : centred) {
            double w = Math.exp((i.improvement() - max) / options.temperature());
            plainSum += w;
            plainLog += w * i.logRate();
            weightSum += w * i.trust();
            logSum += w * i.trust() * i.logRate();
        }
        // If no reporting client is trusted at all, fall back to the unweighted estimate.
        return weightSum > 0 ? Math.exp(logSum / weightSum) : Math.exp(plainLog / plainSum);
    }

    /** Softmin-weighted geometric mean of the rates that clients used; NaN without usable reports. */
    private double rawLossHint(String expert, List<Insight> insights) {
        double minLoss = Double.POSITIVE_INFINITY;
        for (Insight insight : insights) {
            ExpertReport r = insight.experts().get(expert);
            if (usableRate(r)) {
                minLoss = Math.min(minLoss, r.loss());
            }
        }
        if (minLoss == Double.POSITIVE_INFINITY) {
            return Double.NaN;
        }
        double weightSum = 0;
        double logSum = 0;
        double plainSum = 0;
        double plainLog = 0;
        for (Insight insight : insights) {
            ExpertReport r = insight.experts().get(expert);
            if (usableRate(r)) {
                double w = Math.exp(-(r.loss() - minLoss) / options.temperature());
                plainSum += w;
                plainLog += w * Math.log(r.learningRate());
                w *= trustOf(insight);
                weightSum += w;
                logSum += w * Math.log(r.learningRate());
            }
        }
        // If no reporting client is trusted at all, fall back to the unweighted estimate.
        return weightSum > 0 ? Math.exp(logSum / weightSum) : Math.exp(plainLog / plainSum);
    }

    private static boolean usableRate(ExpertReport r) {
        return r != null && Double.isFinite(r.learningRate()) && r.learningRate() > 0 && Double.isFinite(r.loss());
    }

    /** Mean reward of an expert over its reports with a finite loss; NaN without any. */
    private double meanReward(String expert, List<Insight> insights, boolean unitLosses) {
        double sum = 0;
        double weights = 0;
        double plain = 0;
        int n = 0;
        for (Insight insight : insights) {
            ExpertReport r = insight.experts().get(expert);
            if (r != null && Double.isFinite(r.loss())) {
                double reward = unitLosses ? 1 - r.loss() : 1 / (1 + Math.max(0, r.loss()));
                double w = trustOf(insight);
                sum += w * reward;
                weights += w;
                plain += reward;
                n++;
            }
        }
        return n == 0 ? Double.NaN : weights > 0 ? sum / weights : plain / n;
    }

    /** Moments pooled over the insights of the given dimension (-1: that of the first insight). */
    private static FeatureMoments pooledMoments(List<Insight> insights, int dimension) {
        int d = dimension;
        if (d < 0 || insights.stream().noneMatch(i -> i.moments().dimensions() == dimension)) {
            d = insights.isEmpty() ? Math.max(dimension, 0) : insights.get(0).moments().dimensions();
        }
        FeatureMoments pooled = new FeatureMoments(0, new double[d], new double[d]);
        for (Insight insight : insights) {
            if (insight.moments().dimensions() == d) {
                pooled = pooled.combine(insight.moments());
            }
        }
        return pooled;
    }

    // ---------------------------------------------------------------- checkpoints

    @Override
    public void saveState(StateWriter out) throws IOException {
        out.writeVersion(STATE_VERSION);
        out.writeInt(lastRound);
        out.writeDoubleMap(trust);
        out.writeInt(windows.size());
        for (Map.Entry<String, ArrayDeque<Insight>> e : windows.entrySet()) {
            out.writeString(e.getKey());
            out.writeInt(e.getValue().size());
            for (Insight insight : e.getValue()) {
                writeInsight(out, insight);
            }
        }
        out.writeInt(latest.size());
        for (MetaParameters p : latest.values()) {
            writeParameters(out, p);
        }
    }

    @Override
    public void restoreState(StateReader in) throws IOException {
        in.readVersion("insight meta-learner", STATE_VERSION);
        int round = in.readInt();
        if (round < 0) {
            throw new IOException("insight meta-learner checkpoint: negative round " + round);
        }
        Map<String, Double> weights = in.readDoubleMap();
        Map<String, ArrayDeque<Insight>> restored = new TreeMap<>();
        int domains = count(in.readInt(), "domains");
        for (int d = 0; d < domains; d++) {
            String domain = requireString(in.readString(), "domain name");
            int size = count(in.readInt(), "insights of domain '" + domain + "'");
            if (size > options.window()) {
                throw new IOException("insight meta-learner checkpoint: window of domain '" + domain + "' holds " + size
                        + " insights, more than window = " + options.window());
            }
            ArrayDeque<Insight> insights = new ArrayDeque<>(size);
            for (int i = 0; i < size; i++) {
                insights.addLast(readInsight(in));
            }
            restored.put(domain, insights);
        }
        Map<String, MetaParameters> parameters = new TreeMap<>();
        int known = count(in.readInt(), "parameters");
        for (int i = 0; i < known; i++) {
            MetaParameters p = readParameters(in);
            parameters.put(p.domain(), p);
        }
        // Only now that everything was read and checked does this instance change.
        lastRound = round;
        trust.clear();
        trust.putAll(weights);
        windows.clear();
        windows.putAll(restored);
        latest.clear();
        latest.putAll(parameters);
    }

    private static int count(int n, String what) throws IOException {
        if (n < 0) {
            throw new IOException("insight meta-learner checkpoint: negative number of " + what + ": " + n);
        }
        return n;
    }

    private static String requireString(String s, String what) throws IOException {
        if (s == null) {
            throw new IOException("insight meta-learner checkpoint: missing " + what);
        }
        return s;
    }

    private static void writeInsight(StateWriter out, Insight insight) throws IOException {
        out.writeString(insight.client());
        out.writeString(insight.domain());
        out.writeInt(insight.round());
        out.writeLong(insight.samples());
        out.writeDouble(insight.accuracy());
        out.writeDouble(insight.loss());
        out.writeInt(insight.experts().size());
        for (ExpertReport r : insight.experts().values()) {
            out.writeString(r.expert());
            out.writeString(r.plugin());
            out.writeDouble(r.loss());
            out.writeLong(r.samples());
            out.writeLong(r.activations());
            out.writeDouble(r.learningRate());
            out.writeDoubleMap(r.signals());
        }
        out.writeDoubleMap(insight.signals());
        writeMoments(out, insight.moments());
    }

    private static Insight readInsight(StateReader in) throws IOException {
        String client = requireString(in.readString(), "client id");
        String domain = requireString(in.readString(), "insight domain");
        int round = in.readInt();
        long samples = in.readLong();
        double accuracy = in.readDouble();
        double loss = in.readDouble();
        int n = count(in.readInt(), "expert reports");
        Map<String, ExpertReport> experts = new LinkedHashMap<>();
        for (int i = 0; i < n; i++) {
            String expert = requireString(in.readString(), "expert name");
            String plugin = requireString(in.readString(), "plugin name");
            double rLoss = in.readDouble();
            long rSamples = in.readLong();
            long activations = in.readLong();
            double rate = in.readDouble();
            Map<String, Double> signals = in.readDoubleMap();
            experts.put(expert, new ExpertReport(expert, plugin, rLoss, rSamples, activations, rate, signals));
        }
        Map<String, Double> signals = in.readDoubleMap();
        FeatureMoments moments = readMoments(in);
        return new Insight(client, domain, round, samples, accuracy, loss, experts, signals, moments);
    }

    private static void writeParameters(StateWriter out, MetaParameters p) throws IOException {
        out.writeString(p.domain());
        out.writeInt(p.round());
        out.writeDoubleMap(p.learningRates());
        out.writeDoubleMap(p.routerPriors());
        writeMoments(out, p.normalisation());
        out.writeDoubleMap(p.values());
    }

    private static MetaParameters readParameters(StateReader in) throws IOException {
        String domain = requireString(in.readString(), "parameters' domain");
        int round = in.readInt();
        Map<String, Double> rates = in.readDoubleMap();
        Map<String, Double> priors = in.readDoubleMap();
        FeatureMoments moments = readMoments(in);
        Map<String, Double> values = in.readDoubleMap();
        return new MetaParameters(domain, round, rates, priors, moments, values);
    }

    private static void writeMoments(StateWriter out, FeatureMoments m) throws IOException {
        out.writeLong(m.count());
        out.writeDoubles(m.mean());
        out.writeDoubles(m.m2());
    }

    private static FeatureMoments readMoments(StateReader in) throws IOException {
        long count = in.readLong();
        double[] mean = in.readDoubles();
        if (mean == null) {
            throw new IOException("insight meta-learner checkpoint: feature moments without means");
        }
        double[] m2 = in.readDoubles(mean.length, "feature moments' m2");
        if (count < 0) {
            throw new IOException("insight meta-learner checkpoint: negative moment count " + count);
        }
        return new FeatureMoments(count, mean, m2);
    }
}
