package io.scarcity.plugins.insight;

import io.scarcity.api.ExpertReport;
import io.scarcity.api.FeatureMoments;
import io.scarcity.api.Insight;
import io.scarcity.api.MetaParameters;
import io.scarcity.api.StandardSignals;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Proposes a domain's meta-parameters from a list of insights: learning-rate hints, router priors, pooled
 * feature moments and the drift values, each client weighed by its consensus weight (see
 * {@link InsightMetaLearner} for what each estimate is and why).
 */
final class ParameterEstimator {
    static final String DRIFT_RATE = "drift.rate";
    static final String LOSS_VARIANCE = "drift.loss-variance";
    static final String LOSS_SCALE = "drift.loss-scale";
    /** {@code drift.loss-scale} stays within [1/2, 2]: thresholds within a factor 2 of what the user configured. */
    static final double MAX_LOSS_SCALE = 2.0;
    static final String CLIENTS = "clients";
    static final String INSIGHTS = "insights";

    private final double temperature;
    /** Latest consensus weight per client, kept by the meta-learner; 1 for clients never weighed. */
    private final Map<String, Double> trust;

    ParameterEstimator(double temperature, Map<String, Double> trust) {
        this.temperature = temperature;
        this.trust = trust;
    }

    private double trustOf(Insight insight) {
        return trust.getOrDefault(insight.client(), 1.0);
    }

    /**
     * Estimates parameters from a list of insights, oldest first.
     *
     * @param dimension the feature dimension to pool moments of, or -1 for that of the first insight
     * @param reference the loss variance over all domains, for {@code drift.loss-scale} (NaN: none)
     */
    MetaParameters estimate(String domain, int round, List<Insight> insights, int dimension, double reference) {
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

    /** Whether every loss of the insights (the mixture's and each expert's) is in [0, 1] or not finite. */
    static boolean unitLosses(List<Insight> insights) {
        boolean unit = true;
        for (Insight insight : insights) {
            unit &= inUnitRange(insight.loss());
            for (ExpertReport report : insight.experts().values()) {
                unit &= inUnitRange(report.loss());
            }
        }
        return unit;
    }

    private static boolean inUnitRange(double loss) {
        return !Double.isFinite(loss) || (loss >= 0 && loss <= 1);
    }

    /**
     * Pooled within-round per-row variance of the mixture's unit-range loss (see the meta-learner's
     * description); NaN without an insight of at least two rows with a finite loss.
     */
    double lossVariance(List<Insight> insights) {
        TrustedAverage variance = new TrustedAverage();
        for (Insight insight : insights) {
            double loss = insight.loss();
            if (insight.samples() < 2 || !Double.isFinite(loss)) {
                continue;
            }
            variance.addRatio(trustOf(insight), insight.samples() * loss * (1 - loss), insight.samples() - 1);
        }
        return variance.value();
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
        TrustedAverage logRate = new TrustedAverage();
        for (Improvement i : centred) {
            logRate.add(Math.exp((i.improvement() - max) / temperature), i.trust(), i.logRate());
        }
        return Math.exp(logRate.value());
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
        TrustedAverage logRate = new TrustedAverage();
        for (Insight insight : insights) {
            ExpertReport r = insight.experts().get(expert);
            if (usableRate(r)) {
                logRate.add(Math.exp(-(r.loss() - minLoss) / temperature), trustOf(insight), Math.log(r.learningRate()));
            }
        }
        return Math.exp(logRate.value());
    }

    private static boolean usableRate(ExpertReport r) {
        return r != null && Double.isFinite(r.learningRate()) && r.learningRate() > 0 && Double.isFinite(r.loss());
    }

    /** Mean reward of an expert over its reports with a finite loss; NaN without any. */
    private double meanReward(String expert, List<Insight> insights, boolean unitLosses) {
        TrustedAverage reward = new TrustedAverage();
        for (Insight insight : insights) {
            ExpertReport r = insight.experts().get(expert);
            if (r != null && Double.isFinite(r.loss())) {
                reward.add(1.0, trustOf(insight), unitLosses ? 1 - r.loss() : 1 / (1 + Math.max(0, r.loss())));
            }
        }
        return reward.value();
    }

    /** Moments pooled over the insights of the given dimension (-1: that of the first insight). */
    private static FeatureMoments pooledMoments(List<Insight> insights, int dimension) {
        int d = dimension;
        if (d < 0 || insights.stream().noneMatch(i -> i.moments().dimensions() == dimension)) {
            // the dimension of the first insight that carries moments (one without rows says nothing about it)
            d = insights.stream().filter(i -> i.moments().count() > 0).findFirst().map(i -> i.moments().dimensions())
                    .orElse(insights.isEmpty() ? Math.max(dimension, 0) : insights.get(0).moments().dimensions());
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
