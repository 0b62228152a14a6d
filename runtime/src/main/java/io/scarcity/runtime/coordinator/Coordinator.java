package io.scarcity.runtime.coordinator;

import io.scarcity.api.ExpertReport;
import io.scarcity.api.Insight;
import io.scarcity.api.MetaLearner;
import io.scarcity.api.MetaParameters;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * The coordinator: it holds no data source at all. It validates and stores clients' insights in the
 * global memory, runs the meta-learner on them and answers with meta-parameters per domain. A
 * rejected insight is counted and logged with its reason, never stored.
 *
 * <p>Called from one thread (the engine's), between rounds.
 */
public final class Coordinator {
    private final GlobalMemory memory;
    private final MetaLearner metaLearner;
    private final Logger log;
    private final Map<String, MetaParameters> latest = new TreeMap<>();
    private final Map<String, Long> rejectedByReason = new TreeMap<>();
    private long rejected;

    public Coordinator(GlobalMemory memory, MetaLearner metaLearner, Logger log) {
        this.memory = Objects.requireNonNull(memory, "memory is null");
        this.metaLearner = Objects.requireNonNull(metaLearner, "metaLearner is null");
        this.log = Objects.requireNonNull(log, "log is null");
    }

    /**
     * Ends a round: stores the valid insights, learns, and returns parameters for each domain that sent
     * any.
     */
    public Map<String, MetaParameters> endRound(int round, List<Insight> insights) {
        return endRound(round, insights, Map.of());
    }

    /**
     * Ends a round as {@link #endRound(int, List)}, handing the meta-learner each client's consensus
     * weight (reliability x quality x volume), keyed by client id.
     */
    public Map<String, MetaParameters> endRound(int round, List<Insight> insights, Map<String, Double> clientWeights) {
        List<Insight> accepted = new ArrayList<>(insights.size());
        for (Insight i : insights) {
            String problem = validate(i, round);
            if (problem == null) {
                memory.add(i);
                accepted.add(i);
            } else {
                rejected++;
                rejectedByReason.merge(problem.replaceAll("'[^']*'", "'…'"), 1L, Long::sum);
                log.log(Level.WARNING, "rejected insight from " + i.client() + " (round " + i.round() + "): " + problem);
            }
        }
        Map<String, MetaParameters> learned = metaLearner.learn(round, accepted, memory, clientWeights);
        if (learned == null) {
            throw new IllegalStateException("meta-learner returned null parameters");
        }
        latest.putAll(learned);
        return new TreeMap<>(learned);
    }

    /** Parameters for a domain (a cold-start guess for an unknown one). */
    public MetaParameters parametersFor(String domain, int features) {
        MetaParameters p = metaLearner.parametersFor(domain, features);
        if (p == null) {
            throw new IllegalStateException("meta-learner " + metaLearner.getClass().getName()
                    + " returned null parameters for domain " + domain + " (MetaParameters.none is the empty answer)");
        }
        return p;
    }

    public GlobalMemory memory() {
        return memory;
    }

    public long rejected() {
        return rejected;
    }

    public Map<String, Long> rejectedByReason() {
        return new TreeMap<>(rejectedByReason);
    }

    static String validate(Insight i, int round) {
        if (i.round() != round) {
            return "round " + i.round() + " sent in round " + round;
        }
        if (i.samples() < 0) {
            return "negative sample count";
        }
        if (!finiteOrNaN(i.accuracy()) || (!Double.isNaN(i.accuracy()) && (i.accuracy() < 0 || i.accuracy() > 1))) {
            return "accuracy outside [0, 1]: " + i.accuracy();
        }
        if (!finiteOrNaN(i.loss()) || i.loss() < 0) {
            return "loss is not a finite number >= 0: " + i.loss();
        }
        for (ExpertReport r : i.experts().values()) {
            if (!finiteOrNaN(r.loss()) || r.loss() < 0) {
                return "expert '" + r.expert() + "' loss is not a finite number >= 0: " + r.loss();
            }
            if (!finiteOrNaN(r.learningRate())) {
                return "expert '" + r.expert() + "' learning rate is not finite";
            }
        }
        for (Map.Entry<String, Double> s : i.signals().entrySet()) {
            if (!Double.isFinite(s.getValue())) {
                return "signal '" + s.getKey() + "' is not finite";
            }
        }
        for (double m : i.moments().mean()) {
            if (!Double.isFinite(m)) {
                return "feature moments are not finite";
            }
        }
        return null;
    }

    private static boolean finiteOrNaN(double v) {
        return Double.isNaN(v) || Double.isFinite(v);
    }
}
