package io.scarcity.plugins.insight;

import io.scarcity.api.ExpertReport;
import io.scarcity.api.FeatureMoments;
import io.scarcity.api.Insight;
import io.scarcity.api.InsightStore;
import io.scarcity.api.MetaLearner;
import io.scarcity.api.MetaParameters;
import io.scarcity.api.StandardSignals;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The coordinator's meta-learner. It sees only insights (metadata, never rows) and learns, per
 * domain, from the {@code window} most recent of them:
 * <ul>
 *   <li><b>learning-rate hints</b> per expert instance: a population-based search. Clients' experts
 *       run at different rates (each jitters its hint); their losses say which rates worked. The hint
 *       is the weighted geometric mean {@code exp(sum_i w_i log lr_i)} with softmin weights
 *       {@code w_i ~ exp(-(loss_i - minLoss) / temperature)}, over reports with a finite positive
 *       rate and a finite loss;</li>
 *   <li><b>router priors</b> per expert instance: the mean reward over its reports with a finite loss,
 *       with reward {@code 1 - loss} when every loss of the window is in [0, 1] (0/1 errors) and
 *       {@code 1 / (1 + loss)} otherwise;</li>
 *   <li><b>normalisation</b>: the clients' feature moments pooled (moments of another dimension than
 *       the first are skipped);</li>
 *   <li><b>values</b>: {@code drift.rate} (mean of the clients' {@code drift.detected} where present),
 *       {@code clients} (distinct clients) and {@code insights} (insights used).</li>
 * </ul>
 *
 * <p>A client of an unknown domain gets a cold start: the same estimates over the recent insights of
 * every known domain together (normalisation pooled over the moments of the client's dimension).
 */
final class InsightMetaLearner implements MetaLearner {
    static final String DRIFT_RATE = "drift.rate";
    static final String CLIENTS = "clients";
    static final String INSIGHTS = "insights";

    private final Options options;
    private final Map<String, MetaParameters> latest = new TreeMap<>();
    private final Map<String, List<Insight>> windows = new TreeMap<>();
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

    @Override
    public Map<String, MetaParameters> learn(int round, List<Insight> insights, InsightStore store) {
        Objects.requireNonNull(insights, "insights is null");
        Objects.requireNonNull(store, "store is null");
        Set<String> domains = new TreeSet<>();
        for (Insight insight : insights) {
            domains.add(Objects.requireNonNull(insight, "insight is null").domain());
        }
        Map<String, MetaParameters> out = new TreeMap<>();
        for (String domain : domains) {
            // Our own copy: cold starts need it later and the store may trim.
            List<Insight> window = List.copyOf(store.recent(domain, options.window()));
            windows.put(domain, window);
            MetaParameters parameters = estimate(domain, round, window, -1);
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
        for (List<Insight> window : windows.values()) {
            union.addAll(window);
        }
        if (union.isEmpty()) {
            return MetaParameters.none(domain, features);
        }
        return sized(estimate(domain, lastRound, union, features), features);
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
     * Estimates parameters from a list of insights.
     *
     * @param dimension the feature dimension to pool moments of, or -1 for that of the first insight
     */
    private MetaParameters estimate(String domain, int round, List<Insight> insights, int dimension) {
        boolean unitLosses = true;
        for (Insight insight : insights) {
            unitLosses &= inUnitRange(insight.loss());
            for (ExpertReport report : insight.experts().values()) {
                unitLosses &= inUnitRange(report.loss());
            }
        }
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
        values.put(CLIENTS, (double) clients.size());
        values.put(INSIGHTS, (double) insights.size());
        return new MetaParameters(domain, round, learningRates, priors, pooledMoments(insights, dimension), values);
    }

    private static boolean inUnitRange(double loss) {
        return !Double.isFinite(loss) || (loss >= 0 && loss <= 1);
    }

    /** Softmin-weighted geometric mean of the rates that clients used; NaN without usable reports. */
    private double learningRateHint(String expert, List<Insight> insights) {
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
}
