package io.scarcity.plugins.forest;

import io.scarcity.api.ExpertState;
import io.scarcity.api.MergeLaw;
import java.util.ArrayList;
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
 */
public final class TreeGossip {
    static final String PREFIX = "tree.";
    static final String META = ".meta";
    static final String NODES = ".nodes";
    static final String WEIGHTS = ".weights";
    static final int META_LENGTH = 4;
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
        return new ExpertState(states.get(0).expert(), out, samples);
    }
}
