package io.scarcity.plugins.forest;

import io.scarcity.api.ExpertState;
import io.scarcity.api.MergeLaw;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;

/**
 * How the forest expert's trees travel: the names of the arrays of an exported tree, and the forest's merge
 * law ({@link #LAW}, declared by {@link ForestExpertFactory#mergeLaw}, applied by gossip and by FedAvg/Reptile). Averaging two trees element by element means nothing (their nodes split on other features at other
 * places), so the merge of several forests' exports is their <em>union</em>: every candidate tree of every
 * side, renumbered, each identity once ({@link #union}); the merged state thus holds more trees than each
 * export (its arrays are those of the inputs, renumbered). Each client then decides alone which of those
 * trees it admits ({@link ForestExpert#mergeState}), testing them on its own recent rows.
 *
 * <p>Tree {@code s} of a state is three arrays: {@code tree.s.meta} = [identity, accuracy, rows seen, nodes
 * used], {@code tree.s.nodes} (3 values per node: feature or -1, threshold, left child or -1; capacity
 * {@code gossipNodes}) and {@code tree.s.weights} (the class weights of each leaf; {@code classes} per node).
 *
 * <p>With {@code mergeBayes} a state also holds the forest's naive Bayes: {@code bayes.weight} (per class its
 * weight), {@code bayes.mean} and {@code bayes.m2} (per class and feature the mean and the sum of squared
 * deviations). Those are sufficient statistics, so the law pools them exactly, as one learner on every side's rows
 * would hold them (weights summed, means weighted by them, squared deviations with the between-side term), and
 * then scales the mass to the sides' mean (weights and squared deviations divided by the number of sides): means
 * and variances are the pooled ones, and repeated merges of the same rows do not grow the mass without bound.
 */
public final class TreeGossip {
    static final String PREFIX = "tree.";
    static final String META = ".meta";
    static final String NODES = ".nodes";
    static final String WEIGHTS = ".weights";
    static final int META_LENGTH = 4;
    static final String BAYES_WEIGHT = "bayes.weight";
    static final String BAYES_MEAN = "bayes.mean";
    static final String BAYES_M2 = "bayes.m2";
    /** The forest's {@link MergeLaw} ({@link ForestExpertFactory#mergeLaw}): {@link #union(List)}, whatever the weights. */
    public static final MergeLaw LAW = (states, weights) -> union(states);

    private TreeGossip() {
    }

    static String meta(int s) {
        return PREFIX + s + META;
    }

    static String nodes(int s) {
        return PREFIX + s + NODES;
    }

    static String weights(int s) {
        return PREFIX + s + WEIGHTS;
    }

    /** The indices {@code s} of the trees a state holds, in increasing order. */
    static List<Integer> trees(ExpertState state) {
        List<Integer> out = new ArrayList<>();
        for (String name : state.weights().keySet()) {
            if (!name.startsWith(PREFIX) || !name.endsWith(META)) {
                continue;
            }
            String middle = name.substring(PREFIX.length(), name.length() - META.length());
            try {
                out.add(Integer.parseInt(middle));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("merged state has a tree named '" + name + "'");
            }
        }
        out.sort(null);
        return out;
    }

    /** The union of two forests' exports (see {@link #union(List)}). */
    public static ExpertState union(ExpertState a, ExpertState b) {
        return union(List.of(a, b));
    }

    /**
     * The forest's merge law: every tree of every state, in the states' order, renumbered from 0; a tree whose
     * identity came earlier is left out (both peers of an exchange may hold it). Pure and side-effect free
     * (gossip strategies call it concurrently). The result carries the first state's expert name and the
     * largest sample count.
     *
     * @param states one or more exports of one forest instance (on peers with one schema)
     */
    public static ExpertState union(List<ExpertState> states) {
        Objects.requireNonNull(states, "states is null");
        if (states.isEmpty()) {
            throw new IllegalArgumentException("nothing to merge");
        }
        Map<String, double[]> out = new TreeMap<>();
        Set<Double> identities = new HashSet<>();
        long samples = 0;
        int next = 0;
        for (ExpertState state : states) {
            samples = Math.max(samples, state.samples());
            for (int s : trees(state)) {
                double[] meta = state.weight(meta(s));
                double[] nodes = state.weight(nodes(s));
                double[] weights = state.weight(weights(s));
                if (meta == null || nodes == null || weights == null || meta.length != META_LENGTH) {
                    throw new IllegalArgumentException("tree " + s + " of a state to merge is incomplete");
                }
                if (!identities.add(meta[0])) {
                    continue;
                }
                out.put(meta(next), meta);
                out.put(nodes(next), nodes);
                out.put(weights(next), weights);
                next++;
            }
        }
        poolBayes(states, out);
        return new ExpertState(states.get(0).expert(), out, samples);
    }

    /**
     * Pools the naive Bayes of the states that hold one into {@code out} (see the class comment); nothing when
     * none does. The states that hold one must agree on its shape.
     */
    private static void poolBayes(List<ExpertState> states, Map<String, double[]> out) {
        List<double[][]> sides = new ArrayList<>();
        for (ExpertState state : states) {
            double[] w = state.weight(BAYES_WEIGHT);
            double[] mean = state.weight(BAYES_MEAN);
            double[] m2 = state.weight(BAYES_M2);
            if (w == null && mean == null && m2 == null) {
                continue;
            }
            if (w == null || mean == null || m2 == null || w.length == 0 || mean.length % w.length != 0
                    || m2.length != mean.length
                    || (!sides.isEmpty() && (w.length != sides.get(0)[0].length || mean.length != sides.get(0)[1].length))) {
                throw new IllegalArgumentException("the naive Bayes of a state to merge is incomplete or of another shape");
            }
            boolean seen = false;
            for (double[][] side : sides) {
                seen |= Arrays.equals(side[0], w) && Arrays.equals(side[1], mean) && Arrays.equals(side[2], m2);
            }
            if (!seen) {
                sides.add(new double[][] {w, mean, m2}); // the same naive Bayes twice is the same rows: once
            }
        }
        if (sides.isEmpty()) {
            return;
        }
        if (sides.size() == 1) {
            out.put(BAYES_WEIGHT, sides.get(0)[0].clone());
            out.put(BAYES_MEAN, sides.get(0)[1].clone());
            out.put(BAYES_M2, sides.get(0)[2].clone());
            return;
        }
        int classes = sides.get(0)[0].length;
        int d = sides.get(0)[1].length / classes;
        double[] weight = new double[classes];
        double[] mean = new double[classes * d];
        double[] m2 = new double[classes * d];
        for (double[][] side : sides) {
            for (int c = 0; c < classes; c++) {
                weight[c] += side[0][c];
                for (int f = c * d; f < (c + 1) * d; f++) {
                    mean[f] += side[0][c] * side[1][f];
                }
            }
        }
        for (int c = 0; c < classes; c++) {
            for (int f = c * d; f < (c + 1) * d; f++) {
                mean[f] = weight[c] > 0 ? mean[f] / weight[c] : 0;
            }
        }
        // squared deviations about the pooled mean: each side's own, plus its weight times its mean's offset
        for (double[][] side : sides) {
            for (int c = 0; c < classes; c++) {
                for (int f = c * d; f < (c + 1) * d; f++) {
                    double offset = side[1][f] - mean[f];
                    m2[f] += side[2][f] + side[0][c] * offset * offset;
                }
            }
        }
        int n = sides.size();
        for (int c = 0; c < classes; c++) {
            weight[c] /= n;
            for (int f = c * d; f < (c + 1) * d; f++) {
                m2[f] /= n;
            }
        }
        out.put(BAYES_WEIGHT, weight);
        out.put(BAYES_MEAN, mean);
        out.put(BAYES_M2, m2);
    }
}
