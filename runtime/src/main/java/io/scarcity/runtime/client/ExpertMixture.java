package io.scarcity.runtime.client;

import io.scarcity.api.Batch;
import io.scarcity.api.DataSchema;
import io.scarcity.api.Prediction;
import io.scarcity.api.Routing;
import io.scarcity.api.SignalBoard;
import io.scarcity.api.Task;
import io.scarcity.runtime.config.MixtureConfig;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The test step of a client's pipeline: the routed experts predict a batch, their class probabilities are
 * tempered by their calibrators ({@code mixture.calibration}) and mixed with the routing's weights
 * ({@code mixture.combiner: router}) or the {@link HedgeCombiner}'s ({@code hedge}: its leader runs too, and
 * an expert more accurate than the mixture may predict in its place). On a labelled batch each routed
 * expert's loss and reward ({@code mixture.reward}) are measured, its calibrator and the combiner learn.
 * One mixing loop serves learning and held-out evaluation, so both mix identically.
 *
 * <p>Not thread-safe: owned by one client.
 */
final class ExpertMixture {
    private static final double LOG_FLOOR = 1e-12;

    private final DataSchema schema;
    private final MixtureConfig mixing;
    private final Map<String, ExpertSlot> byName;
    private final List<String> candidates;
    /** The hedge combiner (classification with {@code mixture.combiner: hedge}), else null. */
    private final HedgeCombiner hedge;
    /** Batches this round on which the hedge combiner's accuracy guard predicted with one expert. */
    private long guardedBatches;

    /**
     * What the experts did on a batch: the prediction, the slots that ran and the router's rewards (labelled
     * batches; only for the experts the router activated).
     */
    record Mixed(Prediction mixture, List<ExpertSlot> active, Map<String, Double> rewards) {
    }

    ExpertMixture(DataSchema schema, MixtureConfig mixing, Map<String, ExpertSlot> byName, List<String> candidates) {
        this.schema = Objects.requireNonNull(schema, "schema is null");
        this.mixing = Objects.requireNonNull(mixing, "mixing is null");
        this.byName = Objects.requireNonNull(byName, "byName is null");
        this.candidates = List.copyOf(candidates);
        this.hedge = mixing.hedges() && schema.task() == Task.CLASSIFICATION
                // Every candidate starts at the same weight, a personal twin ({@code federation.personal}) too: neither it
                // nor its shared expert is trusted before the client's own labels say which predicts its rows better. A
                // twin at a quarter of the shared weight (until issue 18) bet that federation helps, and with a tenth of
                // the labels on the sensor motes, too few to revise the bet, left clients below learning alone
                // (docs/architecture.md).
                ? new HedgeCombiner(candidates, mixing.share(), mixing.stacks()) : null;
    }

    /** The hedge combiner, whose state goes into the client's checkpoints; null when the router weights. */
    HedgeCombiner combiner() {
        return hedge;
    }

    /**
     * Predicts a streamed batch with the routed experts, counting each one's activation and, when the batch
     * is labelled, its loss, reward and calibration.
     */
    Mixed predict(Routing routing, Batch batch, SignalBoard signals) {
        return mix(routing, batch, signals, true);
    }

    /**
     * A stream without labels: nothing predicts; the routed experts are counted as activated (they learn the batch's
     * structure). No prediction, no rewards (the client rewards them by their self-supervised losses after learning).
     */
    Mixed structural(Routing routing) {
        List<ExpertSlot> active = new ArrayList<>(routing.active().size());
        for (String name : routing.active()) {
            ExpertSlot slot = byName.get(name);
            if (slot == null || !candidates.contains(name)) {
                throw new IllegalStateException("router activated '" + name + "', which is not a candidate " + candidates);
            }
            slot.activations++;
            slot.lastActive = true;
            slot.worked = true;
            active.add(slot);
        }
        return new Mixed(null, active, Map.of());
    }

    /** Predicts a held-out batch: the same mixture, without learning, counting or rewarding anything. */
    Prediction evaluate(Routing routing, Batch batch, SignalBoard signals) {
        return mix(routing, batch, signals, false).mixture();
    }

    /**
     * Ends a round's report: when the combiner hedges over several experts, each one's weight
     * ({@code mixture.weight.EXPERT}) and the batches on which the accuracy guard predicted with one expert
     * ({@code mixture.guarded-batches}).
     */
    void reportRound(Map<String, Double> metrics) {
        if (hedge != null && candidates.size() > 1) {
            for (String c : candidates) {
                metrics.put("mixture.weight." + c, hedge.weight(c));
            }
            metrics.put("mixture.guarded-batches", (double) guardedBatches);
        }
        guardedBatches = 0;
    }

    /**
     * The experts that learn from a batch, of the predicting ones: those that ran, or under
     * {@code training: all} every one (with the hedge combiner every one that ran: all but those asleep); on a
     * stream without labels every one.
     */
    List<ExpertSlot> learners(List<ExpertSlot> predictors, List<ExpertSlot> ran) {
        // without labels every expert learns every row: its structure (and its flags) is the output, not a prediction
        return mixing.trainsAll() && hedge == null || !schema.labelled() ? predictors : ran;
    }

    private Mixed mix(Routing routing, Batch batch, SignalBoard signals, boolean account) {
        int n = batch.rows();
        boolean classification = schema.task() == Task.CLASSIFICATION;
        int k = schema.numClasses();
        double[] mixed = new double[classification ? n * k : n];
        Map<String, Double> rewards = new LinkedHashMap<>();
        boolean labelled = account && batch.hasLabels();
        int[] labels = null; // the batch's labels as an array, made once for the calibrators that need it
        List<String> running = hedge != null ? hedge.awake(routing.active(), mixing.trainsAll(), mixing.sleep()) : routing.active();
        double[] weights = hedge != null ? hedge.weights(running) : routing.weights();
        int guard = hedge != null ? hedge.guard(running, routing.active()) : -1;
        double[] guarded = null; // the probabilities of the expert the guard chose
        double[] routerMixed = hedge != null ? new double[n * k] : null; // the router's own mix, a meta-expert of the guard
        Prediction[] predictions = new Prediction[running.size()];
        double[] logLosses = new double[running.size()];
        // for the stacking update: each expert's (tempered) probability of each row's true class
        double[][] trueClass = hedge != null && mixing.stacks() && labelled ? new double[running.size()][n] : null;
        List<ExpertSlot> active = new ArrayList<>(running.size());
        for (int i = 0; i < running.size(); i++) {
            String name = running.get(i);
            ExpertSlot slot = byName.get(name);
            if (account && (slot == null || !slot.capabilities().predicts())) {
                throw new IllegalStateException("router activated '" + name + "', which is not a candidate " + candidates);
            }
            active.add(slot);
            if (account) {
                slot.activations++;
                slot.lastActive = true;
                slot.worked = true;
            }
            Prediction p = slot.expert().predict(batch, signals);
            checkPrediction(slot, p, n, classification, k);
            predictions[i] = p;
            double w = weights[i];
            double lossSum = 0;
            double logLossSum = 0;
            if (classification) {
                // Tempered probabilities when this slot calibrates; otherwise the expert's own.
                double[] q = tempered(slot, p, n, k);
                boolean likelihood = labelled && (mixing.likelihoodReward() || hedge != null);
                for (int r = 0; r < n; r++) {
                    for (int c = 0; c < k; c++) {
                        mixed[r * k + c] += w * (q != null ? q[r * k + c] : p.probability(r, c));
                    }
                    if (routerMixed != null && i < routing.active().size()) {
                        for (int c = 0; c < k; c++) {
                            routerMixed[r * k + c] += routing.weight(i) * (q != null ? q[r * k + c] : p.probability(r, c));
                        }
                    }
                    if (labelled && p.predictedClass(r) != batch.label(r)) {
                        lossSum += 1;
                    }
                    if (likelihood) {
                        int y = batch.label(r);
                        double py = q != null ? q[r * k + y] : p.probability(r, y);
                        logLossSum -= Math.log(Math.max(LOG_FLOOR, py));
                        if (trueClass != null) {
                            trueClass[i][r] = py;
                        }
                    }
                }
                if (i == guard) {
                    guarded = new double[n * k];
                    for (int r = 0; r < n; r++) {
                        for (int c = 0; c < k; c++) {
                            guarded[r * k + c] = q != null ? q[r * k + c] : p.probability(r, c);
                        }
                    }
                }
                if (labelled && slot.calibrator != null && n > 0) {
                    if (labels == null) {
                        labels = labels(batch);
                    }
                    slot.calibrator.update(p, q, labels);
                }
            } else {
                for (int r = 0; r < n; r++) {
                    mixed[r] += w * p.value(r);
                    if (labelled) {
                        double e = p.value(r) - batch.target(r);
                        lossSum += e * e;
                    }
                }
            }
            logLosses[i] = logLossSum;
            if (labelled && n > 0) {
                slot.lossSum += lossSum;
                slot.rowsPredicted += n;
                double mean = lossSum / n;
                slot.lastLoss = mean;
                double reward = !classification ? 1 / (1 + mean)
                        : mixing.likelihoodReward() ? Math.exp(-logLossSum / n) : 1 - mean;
                if (i < routing.active().size()) { // the router hears only of the experts it activated
                    rewards.put(name, reward);
                }
            }
        }
        Prediction mixture = classification ? Prediction.ofProbabilities(n, k, mixed) : Prediction.ofValues(mixed);
        Prediction routed = hedge != null ? Prediction.ofProbabilities(n, k, routerMixed) : null;
        if (hedge != null && guard == running.size()) {
            guarded = routerMixed;
        }
        if (hedge != null && labelled && n > 0) {
            int[] y = labels != null ? labels : labels(batch);
            double[] mixtureTrueClass = null;
            if (trueClass != null) {
                mixtureTrueClass = new double[n];
                for (int r = 0; r < n; r++) {
                    mixtureTrueClass[r] = mixed[r * k + y[r]];
                }
            }
            hedge.update(running, weights, logLosses, trueClass, mixtureTrueClass, predictions, mixture, routed, routing.active(), y);
        }
        if (account && guarded != null) {
            guardedBatches++;
        }
        return new Mixed(guarded != null ? Prediction.ofProbabilities(n, k, guarded) : mixture, active, rewards);
    }

    /** The expert's tempered class probabilities when the slot calibrates, else null (use its own). */
    private static double[] tempered(ExpertSlot slot, Prediction p, int n, int k) {
        if (slot.calibrator == null) {
            return null;
        }
        if (slot.tempered.length < n * k) {
            slot.tempered = new double[n * k];
        }
        slot.calibrator.temper(p, slot.tempered);
        return slot.tempered;
    }

    private static int[] labels(Batch batch) {
        int[] y = new int[batch.rows()];
        for (int r = 0; r < y.length; r++) {
            y[r] = batch.label(r);
        }
        return y;
    }

    private static void checkPrediction(ExpertSlot slot, Prediction p, int n, boolean classification, int k) {
        if (p == null || p.rows() != n || (classification && p.numClasses() != k) || (!classification && p.isClassification())) {
            throw new IllegalStateException("expert '" + slot.name() + "' (" + slot.plugin() + ") returned a prediction of the wrong shape: "
                    + (p == null ? "null" : p.rows() + " rows x " + p.numClasses() + " classes") + " for " + n + " rows x " + k);
        }
    }
}
