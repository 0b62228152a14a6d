package io.scarcity.plugins.statistical;

import io.scarcity.api.ExpertState;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The union merge law of the statistical expert's classification states ({@code mergeLaw: union}): the merged
 * class estimates are those of one learner that started from the states the clients last adopted and then
 * learned every client's rows since, in blocks.
 *
 * <p>Why: each client's exponentially weighted (EW) estimates of a class stand for {@code M = min(count, 1 / rate)}
 * rows. The element-wise mean of the clients' estimates forgets at one client's pace: after a change, each client
 * has replaced a share {@code 1 - r} of what it had with its few new rows, and so does their mean, while one learner
 * on all of those rows would have replaced {@code 1 - prod r}. On a stream whose concept changes for every client
 * at once (a new task), the mean keeps much of the old concept that the union of the rows has already forgotten.
 *
 * <p>Per class, with {@code r_k} the share of client {@code k}'s estimates still from its base (the state it last
 * adopted; the product of {@code 1 - step} over the rows learned since), {@code M_k} its rows of memory, {@code b_k}
 * its base's mean (or second moment) and {@code x_k} its current one:
 * <ul>
 *   <li>the base: the prior-weighted mean of the clients' bases ({@code B}, with {@code M_0} rows of memory);</li>
 *   <li>what survives of it: {@code S = M_0 prod_k min(1, M_k r_k / M_0)} rows: in the EW regime the product of the
 *       {@code r_k}, while the estimates are still plain averages (fewer rows than the memory) all of it;</li>
 *   <li>the fresh rows: client {@code k}'s account for {@code F_k = M_k (1 - r_k)} rows with the sum
 *       {@code M_k (x_k - r_k b_k)};</li>
 *   <li>merged: {@code (S B + sum_k M_k (x_k - r_k b_k)) / (S + sum_k F_k)}, for the means and the second moments
 *       (the variance is the second moment less the squared mean); the counts are the base's plus every
 *       client's rows since.</li>
 * </ul>
 * When every client adopted the same state (weight sharing every round) and forgets at the same rate, this is the
 * learner on the union of the rows but for their order within the round; right after a merge ({@code r_k = 1}) it
 * is the mean of the bases. Everything else (priors, outlier estimates, the variance prior's shares) merges by the
 * weighted mean as under the default law.
 *
 * <p><b>A merge of a few of the clients</b> (a gossip pair). Each state carries the number {@code n} of the domain's
 * clients the last round reached ({@link io.scarcity.api.MetaParameters#CLIENTS}, which the runtime sends; 0 when
 * not known). When {@code m} states merge and {@code n > m}, the law stands for all {@code n} clients' rows as if the
 * {@code n - m} absent clients had learned rows like the merging ones since their last merge: every {@code F_k} and
 * fresh sum counts {@code n / m} times and every factor of {@code S} is raised to the power {@code n / m}. Without
 * it a pair forgets the adopted state at the pace of two clients while the domain as a whole learned {@code n}
 * clients' rows, so gossip lagged weight sharing after every change. With IID streams, or streams that change for
 * every client at once, that is the expected union; with skewed streams it weighs a pair's own rows of a class more
 * than the union would when the absent clients saw fewer of that class, and less when they saw more. The counts stay
 * the rows actually learned. It applies only when a merging client detected a change ({@code drift.detected}) since
 * it last adopted a state, or is still adapting to one (its drift boost's batches): without a change the absent
 * clients' rows are better guessed by the adopted state than by a pair's few rows (on label-skewed digits under DP
 * insights, one exchange a round, standing for the domain regardless cost 0.021 of accuracy); after a change the
 * adopted state is what is out of date.
 */
final class UnionMerge {
    /** The start of every array name of the law's. */
    static final String PREFIX = "union.";
    static final String MASS = "union.mass";
    /** The rows an estimate stands for at most, {@code 1 / rate} (one value). */
    static final String MEMORY = "union.memory";
    static final String RETAINED = "union.retained";
    static final String BASE_MEAN = "union.baseMean";
    static final String BASE_SECOND = "union.baseSecond";
    static final String BASE_PRIOR = "union.basePrior";
    static final String BASE_COUNT = "union.baseCount";
    static final String BASE_MASS = "union.baseMass";
    /** The domain's clients the last round reached, whose rows a merge of fewer stands for (one value; 0 unknown). */
    static final String CLIENTS = "union.clients";
    /**
     * Whether the client detected a change since it last adopted a state, or is still adapting to one (its drift
     * boost's batches): then a merge stands for the domain's clients (one value, 1 or 0).
     */
    static final String CHANGED = "union.changed";
    /** The most clients a merge stands for, whatever a state says (larger counts would only overflow the sums). */
    static final double MAX_CLIENTS = 1e6;

    private UnionMerge() {
    }

    /**
     * Whether every state carries what the union law needs.
     *
     * @throws IllegalArgumentException if a state carries part of it, or arrays of other lengths than the first state's
     */
    static boolean applies(List<ExpertState> states) {
        for (ExpertState s : states) {
            if (s.weight(RETAINED) == null) {
                return false;
            }
        }
        double[] priors = states.get(0).weight("prior");
        int classes = priors == null ? 0 : priors.length;
        double[] first = states.get(0).weight("mean");
        int n = first == null ? 0 : first.length;
        for (ExpertState s : states) {
            for (String name : List.of("mean", "variance", BASE_MEAN, BASE_SECOND)) {
                s.requireWeight(name, n);
            }
            for (String name : List.of("prior", "count", MASS, RETAINED, BASE_PRIOR, BASE_COUNT, BASE_MASS)) {
                s.requireWeight(name, classes);
            }
            s.requireWeight(MEMORY, 1);
            s.requireWeight(CLIENTS, 1);
            s.requireWeight(CHANGED, 1);
        }
        return true;
    }

    /** Merges classification states by the union law; {@code mean} is their weighted mean (everything else). */
    static ExpertState merge(List<ExpertState> states, double[] weights, ExpertState mean) {
        double[] share = ExpertState.normalisedWeights(weights);
        int size = states.size();
        int classes = states.get(0).weights().get("prior").length;
        int n = states.get(0).weights().get("mean").length;
        int features = classes == 0 ? 0 : n / classes;
        // each state's arrays, looked up once
        double[][] means = arrays(states, "mean");
        double[][] variances = arrays(states, "variance");
        double[][] counts = arrays(states, "count");
        double[][] masses = arrays(states, MASS);
        double[][] retained = arrays(states, RETAINED);
        double[][] baseMeans = arrays(states, BASE_MEAN);
        double[][] baseSeconds = arrays(states, BASE_SECOND);
        double[][] basePriors = arrays(states, BASE_PRIOR);
        double[][] baseCounts = arrays(states, BASE_COUNT);
        double[][] baseMasses = arrays(states, BASE_MASS);
        double clients = 0;
        for (double[] v : arrays(states, CLIENTS)) {
            // a peer's count is taken only as far as it is plausible: never infinite, never more than MAX_CLIENTS
            clients = Math.max(clients, Double.isFinite(v[0]) ? Math.min(v[0], MAX_CLIENTS) : 0);
        }
        boolean change = false;
        for (double[] v : arrays(states, CHANGED)) {
            change |= v[0] >= 0.5;
        }
        // after a change, a merge of fewer states than the domain's clients stands for all of them (see the class description)
        double scale = change ? Math.max(1.0, clients / size) : 1.0;
        Map<String, double[]> out = new TreeMap<>(mean.weights());
        double[] prior = out.get("prior");
        double[] m = new double[n];
        double[] second = new double[n];
        double[] count = new double[classes];
        double[] baseWeight = new double[size];
        for (int c = 0; c < classes; c++) {
            double basePrior = 0;
            double baseMass = 0;
            double baseCount = 0;
            for (int k = 0; k < size; k++) {
                basePrior += share[k] * basePriors[k][c];
                baseMass += share[k] * baseMasses[k][c];
                baseCount += share[k] * baseCounts[k][c];
            }
            double survive = baseMass;
            double fresh = 0;
            double rows = 0;
            for (int k = 0; k < size; k++) {
                double mk = masses[k][c];
                double rk = retained[k][c];
                survive *= baseMass > 0 ? Math.pow(Math.min(1.0, mk * rk / baseMass), scale) : 0.0;
                fresh += scale * mk * (1 - rk);
                rows += Math.max(0.0, counts[k][c] - baseCounts[k][c]);
                baseWeight[k] = basePrior > 0 ? share[k] * basePriors[k][c] / basePrior : share[k];
            }
            count[c] = baseCount + rows;
            double total = survive + fresh;
            for (int j = 0; j < features; j++) {
                int i = c * features + j;
                double bm = 0;
                double bs = 0;
                for (int k = 0; k < size; k++) {
                    bm += baseWeight[k] * baseMeans[k][i];
                    bs += baseWeight[k] * baseSeconds[k][i];
                }
                if (!(total > 0)) {
                    m[i] = bm;
                    second[i] = bs;
                    continue;
                }
                double sm = survive * bm;
                double ss = survive * bs;
                for (int k = 0; k < size; k++) {
                    double mk = masses[k][c];
                    double rk = retained[k][c];
                    double xk = means[k][i];
                    sm += scale * mk * (xk - rk * baseMeans[k][i]);
                    ss += scale * mk * (variances[k][i] + xk * xk - rk * baseSeconds[k][i]);
                }
                m[i] = sm / total;
                second[i] = ss / total;
            }
        }
        double[] variance = new double[n];
        double[] weightedMean = new double[n];
        double[] weightedSecond = new double[n];
        for (int c = 0; c < classes; c++) {
            for (int j = 0; j < features; j++) {
                int i = c * features + j;
                variance[i] = Math.max(0.0, second[i] - m[i] * m[i]);
                weightedMean[i] = prior[c] * m[i];
                weightedSecond[i] = prior[c] * second[i];
            }
        }
        out.put("mean", m);
        out.put("variance", variance);
        out.put("count", count);
        out.put("weightedMean", weightedMean);
        out.put("weightedSecond", weightedSecond);
        // the merged state is itself a base: merged again (a chain of gossip merges, a warm start), it counts as adopted
        double[] ones = new double[classes];
        java.util.Arrays.fill(ones, 1.0);
        out.put(RETAINED, ones);
        out.put(BASE_MEAN, m.clone());
        out.put(BASE_SECOND, second.clone());
        out.put(BASE_PRIOR, prior.clone());
        out.put(BASE_COUNT, count.clone());
        double memory = 0;
        for (double[] v : arrays(states, MEMORY)) {
            memory = Math.max(memory, v[0]);
        }
        double[] mass = new double[classes];
        for (int c = 0; c < classes; c++) {
            mass[c] = Math.min(count[c], memory);
        }
        out.put(MEMORY, new double[] {memory});
        out.put(CLIENTS, new double[] {clients});
        out.put(CHANGED, new double[] {change ? 1 : 0});
        out.put(MASS, mass);
        out.put(BASE_MASS, mass.clone());
        return new ExpertState(mean.expert(), out, mean.samples());
    }

    /** The array {@code name} of every state, in order. */
    private static double[][] arrays(List<ExpertState> states, String name) {
        double[][] out = new double[states.size()][];
        for (int k = 0; k < out.length; k++) {
            out[k] = states.get(k).weights().get(name);
        }
        return out;
    }
}
