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
 * tempered by their calibrators ({@code mixture.calibration}) and mixed with the routing's weights. On a
 * labelled batch each routed expert's loss and reward ({@code mixture.reward}) are measured and its
 * calibrator learns. One mixing loop serves learning and held-out evaluation, so both mix identically.
 *
 * <p>Not thread-safe: owned by one client.
 */
final class ExpertMixture {
    private static final double LOG_FLOOR = 1e-12;

    private final DataSchema schema;
    private final MixtureConfig mixing;
    private final Map<String, ExpertSlot> byName;
    private final List<String> candidates;

    /** What the routed experts did on a batch: the mixed prediction, the active slots and their rewards (labelled batches). */
    record Mixed(Prediction mixture, List<ExpertSlot> active, Map<String, Double> rewards) {
    }

    ExpertMixture(DataSchema schema, MixtureConfig mixing, Map<String, ExpertSlot> byName, List<String> candidates) {
        this.schema = Objects.requireNonNull(schema, "schema is null");
        this.mixing = Objects.requireNonNull(mixing, "mixing is null");
        this.byName = Objects.requireNonNull(byName, "byName is null");
        this.candidates = List.copyOf(candidates);
    }

    /**
     * Predicts a streamed batch with the routed experts, counting each one's activation and, when the batch
     * is labelled, its loss, reward and calibration.
     */
    Mixed predict(Routing routing, Batch batch, SignalBoard signals) {
        return mix(routing, batch, signals, true);
    }

    /** Predicts a held-out batch: the same mixture, without learning, counting or rewarding anything. */
    Prediction evaluate(Routing routing, Batch batch, SignalBoard signals) {
        return mix(routing, batch, signals, false).mixture();
    }

    private Mixed mix(Routing routing, Batch batch, SignalBoard signals, boolean account) {
        int n = batch.rows();
        boolean classification = schema.task() == Task.CLASSIFICATION;
        int k = schema.numClasses();
        double[] mixed = new double[classification ? n * k : n];
        Map<String, Double> rewards = new LinkedHashMap<>();
        boolean labelled = account && batch.hasLabels();
        int[] labels = null; // the batch's labels as an array, made once for the calibrators that need it
        List<ExpertSlot> active = new ArrayList<>(routing.active().size());
        for (int i = 0; i < routing.active().size(); i++) {
            String name = routing.active().get(i);
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
            double w = routing.weight(i);
            double lossSum = 0;
            double logLossSum = 0;
            if (classification) {
                // Tempered probabilities when this slot calibrates; otherwise the expert's own.
                double[] q = tempered(slot, p, n, k);
                boolean likelihood = labelled && mixing.likelihoodReward();
                for (int r = 0; r < n; r++) {
                    for (int c = 0; c < k; c++) {
                        mixed[r * k + c] += w * (q != null ? q[r * k + c] : p.probability(r, c));
                    }
                    if (labelled && p.predictedClass(r) != batch.label(r)) {
                        lossSum += 1;
                    }
                    if (likelihood) {
                        int y = batch.label(r);
                        logLossSum -= Math.log(Math.max(LOG_FLOOR, q != null ? q[r * k + y] : p.probability(r, y)));
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
            if (labelled && n > 0) {
                slot.lossSum += lossSum;
                slot.rowsPredicted += n;
                double mean = lossSum / n;
                slot.lastLoss = mean;
                double reward = !classification ? 1 / (1 + mean)
                        : mixing.likelihoodReward() ? Math.exp(-logLossSum / n) : 1 - mean;
                rewards.put(name, reward);
            }
        }
        Prediction mixture = classification ? Prediction.ofProbabilities(n, k, mixed) : Prediction.ofValues(mixed);
        return new Mixed(mixture, active, rewards);
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
