package io.scarcity.runtime.client;

import io.scarcity.api.Checkpointable;
import io.scarcity.api.Prediction;
import io.scarcity.api.StateReader;
import io.scarcity.api.StateWriter;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The {@code mixture.combiner: hedge} weights of a client's predicting experts: exponential weights on each
 * expert's cumulative log loss of its (calibrated) class probabilities, with learning rate 1, i.e. the
 * Bayes mixture over the experts, whose cumulative log loss exceeds the best expert's by at most
 * {@code ln N} (Vovk's aggregating algorithm; Cesa-Bianchi and Lugosi 2006, ch. 3).
 *
 * <ul>
 * <li><b>Sleeping experts</b> (Freund, Schapire, Singer and Warmuth 1997): the router decides which experts
 *     run on a batch; only they are mixed (their weights renormalised) and only their weights are updated,
 *     keeping the awake experts' total mass, so that an expert is neither rewarded nor punished for batches
 *     it did not predict.</li>
 * <li><b>Fixed share</b> (Herbster and Warmuth 1998): after each batch every weight is pulled towards its
 *     prior, uniform ({@code 1 / N}; a personal twin too), {@code w <- (1 - a) w + a / N} with
 *     {@code a = 1 - (1 - share)^rows}, so that no weight falls below {@code a / N} and a new best expert
 *     after a drift takes over within a few dozen rows.</li>
 * <li><b>The leader stays awake</b>: the expert with the largest weight predicts (and, under
 *     {@code mixture.training: active}, learns) on every batch besides the router's choice, so the
 *     mixture always holds the expert it trusts most.</li>
 * <li><b>Accuracy guard</b>: log-loss regret does not bound the error rate, so for each expert, and for the
 *     router's own mix of the experts it activated (the {@code router} combiner, which on short streams of
 *     complementary experts can beat every one of them), the combiner keeps a discounted count of its
 *     errors minus the mixture's on the rows it predicted ({@link #GUARD_DECAY} per row). When one has
 *     made fewer errors than the mixture, the client predicts with its probabilities (the one with the
 *     largest lead) instead of the mixture's: the mixture, the router's mix and each expert are
 *     meta-experts, and the client follows the most accurate. The router's mix is the same meta-expert only
 *     while the router activates the same experts: when the routing changes its lead restarts at 0 (a lead
 *     earned by one expert says nothing of another's), and the expert the guard would follow stays awake.</li>
 * </ul>
 *
 * <p>Not thread-safe: owned by one client's {@link ExpertMixture}.
 */
final class HedgeCombiner implements Checkpointable {
    /** Per-row discount of the accuracy guard's error differences (about 1,000 rows remembered). */
    static final double GUARD_DECAY = 0.999;
    /** 2: the router's last activated set, whose mix the guard's last lead is about. */
    private static final int VERSION = 2;

    /**
     * Learning rate per row of the stacking update ({@code mixture.combiner: stack}): exponentiated gradient on the
     * mixture's log loss (Helmbold, Schapire, Singer and Warmuth 1998, the EG portfolio update).
     */
    static final double STACK_RATE = 0.05;
    /** Bound on one row's ratio {@code q_i(y) / p(y)} in the stacking update. */
    private static final double MAX_RATIO = 100;

    private final List<String> names;
    private final double share;
    /** The prior weight of every candidate, {@code 1 / N}: where the weights start and what fixed share pulls them towards. */
    private final double prior;
    /** {@code stack}: exponentiated gradient on the mixture's log loss instead of the Bayes update. */
    private final boolean stacking;
    /** Log weight per candidate, normalised (log-sum-exp 0). */
    private final double[] logWeight;
    /**
     * Per candidate, then for the router's mix: discounted errors of its argmax minus the mixture's, on the
     * rows it predicted.
     */
    private final double[] lead;
    /**
     * The experts the router activated on the last labelled batch, in routing order: the router's mix is a
     * meta-expert only while it mixes the same experts, so its lead restarts when the set changes.
     */
    private List<String> lastRouted = List.of();

    /**
     * @param names the predicting candidates, in config order
     * @param share fixed-share rate per row, in [0, 1)
     */
    HedgeCombiner(List<String> names, double share) {
        this(names, share, false);
    }

    /**
     * @param names the predicting candidates, in config order
     * @param share fixed-share rate per row, in [0, 1)
     * @param stacking whether the weights follow the mixture's log-loss gradient (online stacking) rather than
     *        each expert's own log loss (the Bayes mixture)
     */
    HedgeCombiner(List<String> names, double share, boolean stacking) {
        this.stacking = stacking;
        if (names.isEmpty()) {
            throw new IllegalArgumentException("no experts to combine");
        }
        if (!(share >= 0 && share < 1)) {
            throw new IllegalArgumentException("share must be in [0, 1), got " + share);
        }
        this.names = List.copyOf(names);
        this.share = share;
        this.logWeight = new double[names.size()];
        this.lead = new double[names.size() + 1];
        this.prior = 1.0 / names.size();
        java.util.Arrays.fill(logWeight, Math.log(prior));
    }

    /**
     * The experts that run on a batch: the router's, then the leader when the router left it out, then with
     * {@code others} every other candidate whose weight is at least {@code sleep} (config order).
     */
    List<String> awake(List<String> routed, boolean others, double sleep) {
        String leader = names.get(leader());
        int favourite = favourite();
        String guarded = favourite >= 0 ? names.get(favourite) : leader;
        if (!others && routed.contains(leader) && routed.contains(guarded)) {
            return routed;
        }
        List<String> awake = new ArrayList<>(others ? names.size() : routed.size() + 2);
        awake.addAll(routed);
        if (!awake.contains(leader)) {
            awake.add(leader);
        }
        if (!awake.contains(guarded)) {
            awake.add(guarded);
        }
        if (others) {
            for (int i = 0; i < names.size(); i++) {
                String name = names.get(i);
                if (!awake.contains(name) && Math.exp(logWeight[i]) >= sleep) {
                    awake.add(name);
                }
            }
        }
        return awake;
    }

    /** The candidate with the largest weight (the first on ties). */
    int leader() {
        int best = 0;
        for (int i = 1; i < logWeight.length; i++) {
            if (logWeight[i] > logWeight[best]) {
                best = i;
            }
        }
        return best;
    }

    /**
     * The candidate the accuracy guard would follow if it were awake: the one with the most fewer errors than the
     * mixture (the first on ties), or -1 when none has made fewer.
     */
    int favourite() {
        int best = -1;
        double lowest = 0;
        for (int i = 0; i < names.size(); i++) {
            if (lead[i] < lowest) {
                lowest = lead[i];
                best = i;
            }
        }
        return best;
    }

    /** The mixing weights of the awake experts: theirs, renormalised over them. */
    double[] weights(List<String> awake) {
        double[] w = new double[awake.size()];
        double max = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < w.length; i++) {
            max = Math.max(max, logWeight[index(awake.get(i))]);
        }
        double sum = 0;
        for (int i = 0; i < w.length; i++) {
            w[i] = Math.exp(logWeight[index(awake.get(i))] - max);
            sum += w[i];
        }
        for (int i = 0; i < w.length; i++) {
            w[i] /= sum;
        }
        return w;
    }

    /**
     * What predicts in place of the mixture on this batch: an awake expert (its position in {@code awake}),
     * the router's own mix of the experts it activated ({@code awake.size()}), or the mixture (-1): the one
     * that has made the most fewer errors than the mixture, if any has.
     */
    int guard(List<String> awake) {
        int chosen = bestAwake(awake);
        double best = chosen < 0 ? 0 : lead[index(awake.get(chosen))];
        return lead[names.size()] < best ? awake.size() : chosen;
    }

    /**
     * {@link #guard(List)}, with the router's mix a candidate only when the router activated the same experts as on
     * the last labelled batch (its lead is about that mix).
     */
    int guard(List<String> awake, List<String> routed) {
        return routed.equals(lastRouted) ? guard(awake) : bestAwake(awake);
    }

    /** The awake expert that has made the most fewer errors than the mixture (its position in {@code awake}), or -1. */
    private int bestAwake(List<String> awake) {
        int chosen = -1;
        double best = 0;
        for (int i = 0; i < awake.size(); i++) {
            double d = lead[index(awake.get(i))];
            if (d < best) {
                best = d;
                chosen = i;
            }
        }
        return chosen;
    }

    /**
     * Learns from a labelled batch the awake experts predicted.
     *
     * @param awake the experts that predicted, as from {@link #awake}
     * @param weights their mixing weights, as from {@link #weights}
     * @param logLoss each one's summed log loss over the batch (natural log)
     * @param predictions each one's prediction (its argmax is what the guard counts)
     * @param mixture the (unguarded) mixture of them
     * @param routed the router's mix of the experts it activated, weighted by the routing
     * @param labels the batch's true classes
     */
    void update(List<String> awake, double[] weights, double[] logLoss, Prediction[] predictions, Prediction mixture,
                Prediction routed, int[] labels) {
        update(awake, weights, logLoss, null, null, predictions, mixture, routed, null, labels);
    }

    /**
     * {@link #update(List, double[], double[], Prediction[], Prediction, Prediction, int[])} with, for the
     * stacking update, each awake expert's probability of each row's true class ({@code trueClass[i][r]}) and the
     * mixture's ({@code mixtureTrueClass[r]}), as mixed (both may be null when not stacking), and the experts the
     * router activated ({@code routedNames}; null = the same as on the last batch): when they differ from the last
     * labelled batch's, the router's mix is another meta-expert and its lead starts again at 0.
     */
    void update(List<String> awake, double[] weights, double[] logLoss, double[][] trueClass, double[] mixtureTrueClass,
                Prediction[] predictions, Prediction mixture, Prediction routed, List<String> routedNames, int[] labels) {
        int n = labels.length;
        if (routedNames != null && !routedNames.equals(lastRouted)) {
            lead[names.size()] = 0;
            lastRouted = List.copyOf(routedNames);
        }
        // The exponent of each awake expert's update: minus its log loss (Bayes), or the mixture's log-loss
        // gradient step eta sum_r q_i(y_r) / p(y_r) (exponentiated gradient); normalised over the awake experts,
        // which keep their mass (sleeping experts).
        double[] step = new double[awake.size()];
        for (int i = 0; i < awake.size(); i++) {
            if (stacking) {
                double g = 0;
                for (int r = 0; r < n; r++) {
                    g += Math.min(MAX_RATIO, trueClass[i][r] / Math.max(1e-12, mixtureTrueClass[r]));
                }
                step[i] = STACK_RATE * g;
            } else {
                step[i] = -logLoss[i];
            }
        }
        double z = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < awake.size(); i++) {
            double t = Math.log(weights[i]) + step[i];
            z = Math.max(z, t);
        }
        double sum = 0;
        for (int i = 0; i < awake.size(); i++) {
            sum += Math.exp(Math.log(weights[i]) + step[i] - z);
        }
        double logZ = z + Math.log(sum);
        for (int i = 0; i < awake.size(); i++) {
            logWeight[index(awake.get(i))] += step[i] - logZ;
        }
        fixedShare(1 - Math.pow(1 - share, n));
        double decay = Math.pow(GUARD_DECAY, n);
        for (int i = 0; i <= awake.size(); i++) {
            int e = i < awake.size() ? index(awake.get(i)) : names.size();
            Prediction p = i < awake.size() ? predictions[i] : routed;
            double d = 0;
            for (int r = 0; r < n; r++) {
                boolean wrong = p.predictedClass(r) != labels[r];
                boolean mixtureWrong = mixture.predictedClass(r) != labels[r];
                d += (wrong ? 1 : 0) - (mixtureWrong ? 1 : 0);
            }
            lead[e] = decay * lead[e] + d;
        }
    }

    /** Renormalises the weights (log-sum-exp 0), then {@code w <- (1 - a) w + a prior} (the uniform prior). */
    private void fixedShare(double a) {
        double max = Double.NEGATIVE_INFINITY;
        for (double l : logWeight) {
            max = Math.max(max, l);
        }
        double sum = 0;
        for (double l : logWeight) {
            sum += Math.exp(l - max);
        }
        double log = max + Math.log(sum);
        for (int i = 0; i < logWeight.length; i++) {
            logWeight[i] -= log;
            if (a > 0) {
                logWeight[i] = Math.log((1 - a) * Math.exp(logWeight[i]) + a * prior);
            }
        }
    }

    /** The current weight of a candidate (over all candidates, awake or not). */
    double weight(String name) {
        return Math.exp(logWeight[index(name)]);
    }

    private int index(String name) {
        int i = names.indexOf(name);
        if (i < 0) {
            throw new IllegalStateException("'" + name + "' is not a candidate " + names);
        }
        return i;
    }

    @Override
    public void saveState(StateWriter out) throws IOException {
        out.writeVersion(VERSION);
        out.writeDoubles(logWeight);
        out.writeDoubles(lead);
        out.writeInt(lastRouted.size());
        for (String name : lastRouted) {
            out.writeInt(index(name));
        }
    }

    @Override
    public void restoreState(StateReader in) throws IOException {
        in.readVersion("hedge combiner", VERSION);
        double[] w = in.readDoubles(logWeight.length, "hedge weights");
        double[] d = in.readDoubles(lead.length, "hedge guard leads");
        for (int i = 0; i < w.length; i++) {
            if (!(w[i] <= 0) || !Double.isFinite(w[i])) {
                throw new IOException("corrupt hedge combiner state: log weight " + w[i] + " of " + names.get(i));
            }
        }
        for (double v : d) {
            if (!Double.isFinite(v)) {
                throw new IOException("corrupt hedge combiner state: guard lead " + v);
            }
        }
        int count = in.readInt();
        if (count < 0 || count > names.size()) {
            throw new IOException("corrupt hedge combiner state: " + count + " routed experts of " + names.size());
        }
        List<String> routed = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            int e = in.readInt();
            if (e < 0 || e >= names.size()) {
                throw new IOException("corrupt hedge combiner state: routed expert " + e + " of " + names.size());
            }
            routed.add(names.get(e));
        }
        System.arraycopy(w, 0, logWeight, 0, w.length);
        System.arraycopy(d, 0, lead, 0, d.length);
        lastRouted = List.copyOf(routed);
    }
}
