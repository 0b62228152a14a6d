package io.scarcity.api;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * An elastic-weight-consolidation penalty as an expert keeps it after {@link Expert#penalise}: the
 * strength and, per penalised parameter array, the anchor and the importances, checked once here so that
 * every expert refuses the same bad arguments with the same messages and checkpoints the penalty alike.
 * The penalty's gradient on parameter {@code theta_i} is {@code pull_i (theta_i - anchor_i)} with
 * {@code pull = strength * importance} ({@link #pull}); how the expert adds it to its optimiser's step is
 * its own business.
 *
 * <p>A penalty is either {@link #active()} (strength {@code > 0}, with arrays) or not (strength 0: no
 * arrays; the expert then trains exactly as without a penalty). Immutable; the arrays it hands out are its
 * own, not copies: read them, never change them.
 *
 * <p>Supervisors (who call {@code penalise}) can ask {@link #mismatch} whether importances fit the weights
 * they would anchor, before asking an expert.
 *
 * <p>Checkpoint layout ({@link #save}, {@link #read}): the strength, then, if it is above 0, per array in
 * order its anchor and its importances ({@link StateWriter#writeDoubles}).
 */
public final class EwcPenalty {
    private static final EwcPenalty NONE = new EwcPenalty(0.0, List.of(), null, null);

    private final double strength;
    private final List<String> names;
    private final double[][] anchors;
    private final double[][] importances;

    private EwcPenalty(double strength, List<String> names, double[][] anchors, double[][] importances) {
        this.strength = strength;
        this.names = names;
        this.anchors = anchors;
        this.importances = importances;
    }

    /** No penalty: strength 0, no arrays. */
    public static EwcPenalty none() {
        return NONE;
    }

    /**
     * Checks the arguments of {@link Expert#penalise} against what the expert exports and returns the
     * penalty; everything is checked before the expert changes anything. The anchor must hold exactly the
     * arrays of {@code exported}, of their lengths, finite. The importances must hold every penalised array
     * (with {@code importanceOfEveryArray}: every exported array), of its length, finite and {@code >= 0}
     * with {@code strength * importance} finite, and no array that is not exported. Arrays that are
     * exported but not penalised (e.g. standardisation estimates, which are not learned by gradient) are
     * checked but take no penalty. With {@code strength} 0 the result is inactive (after the same checks).
     *
     * @param owner the expert, for messages, e.g. {@code "temporal expert"}
     * @param exported the expert's {@link Expert#exportState()} arrays
     * @param penalised the names of the arrays the penalty acts on, each exported, in the expert's order
     * @param importanceOfEveryArray whether the importances must hold every exported array, not only the
     *        penalised ones
     * @param strength finite and {@code >= 0}
     * @throws IllegalArgumentException naming the owner and the array or value that is wrong
     */
    public static EwcPenalty check(String owner, Map<String, double[]> exported, List<String> penalised,
                                   boolean importanceOfEveryArray, ExpertState anchor, ExpertState importance, double strength) {
        Objects.requireNonNull(owner, "owner is null");
        Objects.requireNonNull(exported, "exported is null");
        Objects.requireNonNull(penalised, "penalised is null");
        Objects.requireNonNull(anchor, "anchor is null");
        Objects.requireNonNull(importance, "importance is null");
        if (!(strength >= 0) || !Double.isFinite(strength)) {
            throw new IllegalArgumentException(owner + ": EWC strength must be finite and >= 0, got " + strength);
        }
        for (String name : penalised) {
            if (!exported.containsKey(name)) {
                throw new IllegalArgumentException(owner + ": the penalised array '" + name + "' is not exported");
            }
        }
        for (String name : anchor.weights().keySet()) {
            if (!exported.containsKey(name)) {
                throw new IllegalArgumentException(owner + ": EWC anchor has an array '" + name
                        + "' that this expert does not export (expected exactly " + exported.keySet() + ")");
            }
        }
        for (String name : importance.weights().keySet()) {
            if (!exported.containsKey(name)) {
                throw new IllegalArgumentException(owner + ": EWC importance has an array '" + name
                        + "' that this expert does not export (expected " + (importanceOfEveryArray
                        ? "exactly " + exported.keySet() : "the arrays " + penalised + ", optionally with the others it exports")
                        + ")");
            }
        }
        for (Map.Entry<String, double[]> e : exported.entrySet()) {
            String name = e.getKey();
            int length = e.getValue().length;
            String problem = problem("anchor", name, anchor.weights().get(name), length);
            boolean importanceNeeded = importanceOfEveryArray || penalised.contains(name)
                    || importance.weights().containsKey(name);
            if (problem == null && importanceNeeded) {
                problem = problem("importance", name, importance.weights().get(name), length);
                if (problem == null) {
                    for (double x : importance.weights().get(name)) {
                        if (!Double.isFinite(strength * x)) {
                            problem = "EWC strength " + strength + " times importance '" + name + "' value " + x + " overflows";
                            break;
                        }
                    }
                }
            }
            if (problem != null) {
                throw new IllegalArgumentException(owner + ": " + problem);
            }
        }
        if (strength == 0) {
            return new EwcPenalty(strength, List.of(), null, null);
        }
        double[][] a = new double[penalised.size()][];
        double[][] f = new double[penalised.size()][];
        for (int i = 0; i < a.length; i++) {
            a[i] = anchor.weight(penalised.get(i));
            f[i] = importance.weight(penalised.get(i));
        }
        return new EwcPenalty(strength, List.copyOf(penalised), a, f);
    }

    /**
     * Why {@code importance} cannot go with {@code weights} in a penalty, or {@code null} if it can: every
     * importance array must be one of the weights' arrays, of its length, finite and {@code >= 0}. What a
     * supervisor checks before it asks an expert to {@link Expert#penalise} (the expert checks more).
     */
    public static String mismatch(ExpertState importance, ExpertState weights) {
        Objects.requireNonNull(importance, "importance is null");
        Objects.requireNonNull(weights, "weights is null");
        for (Map.Entry<String, double[]> e : importance.weights().entrySet()) {
            double[] w = weights.weights().get(e.getKey());
            if (w == null) {
                return "EWC importance has an array '" + e.getKey() + "' that the weights do not have";
            }
            String problem = problem("importance", e.getKey(), e.getValue(), w.length);
            if (problem != null) {
                return problem;
            }
        }
        return null;
    }

    /** What is wrong with one array of an anchor or importance (present, of the length, finite, importances >= 0), or null. */
    private static String problem(String what, String name, double[] v, int length) {
        if (v == null) {
            return "EWC " + what + " lacks the array '" + name + "'";
        }
        if (v.length != length) {
            return "EWC " + what + " '" + name + "' has " + v.length + " values, expected " + length;
        }
        for (double x : v) {
            if (!Double.isFinite(x)) {
                return "EWC " + what + " '" + name + "' has a non-finite value " + x;
            }
        }
        if (what.equals("importance")) {
            for (double x : v) {
                if (!(x >= 0)) {
                    return "EWC importance '" + name + "' has a negative value " + x + "; importances must be >= 0";
                }
            }
        }
        return null;
    }

    /** The strength, 0 without a penalty (as given to {@link #check}, so possibly {@code -0.0}). */
    public double strength() {
        return strength;
    }

    /** Whether the penalty acts: strength above 0. */
    public boolean active() {
        return anchors != null;
    }

    /** The names of the penalised arrays, in order; empty if not {@link #active()}. */
    public List<String> names() {
        return names;
    }

    /** The anchors, one array per {@link #names() name}, or {@code null} if not {@link #active()}. Not copied. */
    public double[][] anchors() {
        return anchors;
    }

    /** The importances, one array per {@link #names() name}, or {@code null} if not {@link #active()}. Not copied. */
    public double[][] importances() {
        return importances;
    }

    /** A new array {@code strength * importance} of array {@code i}: the factor of the penalty's gradient. */
    public double[] pull(int i) {
        if (!active()) {
            throw new IllegalStateException("no EWC penalty");
        }
        double[] f = importances[i];
        double[] pull = new double[f.length];
        for (int j = 0; j < pull.length; j++) {
            pull[j] = strength * f[j];
        }
        return pull;
    }

    /**
     * The same penalty over one array named {@code name}: the arrays concatenated in order, for an expert
     * that keeps its parameters in one flat vector in the order of its exported arrays. Inactive stays
     * inactive.
     */
    public EwcPenalty joined(String name) {
        Objects.requireNonNull(name, "name is null");
        if (!active()) {
            return this;
        }
        return new EwcPenalty(strength, List.of(name), new double[][] {concat(anchors)}, new double[][] {concat(importances)});
    }

    private static double[] concat(double[][] parts) {
        int n = 0;
        for (double[] p : parts) {
            n += p.length;
        }
        double[] out = new double[n];
        int at = 0;
        for (double[] p : parts) {
            System.arraycopy(p, 0, out, at, p.length);
            at += p.length;
        }
        return out;
    }

    /** Writes the penalty (see the class description). */
    public void save(StateWriter out) throws IOException {
        out.writeDouble(strength);
        if (strength > 0) {
            for (int i = 0; i < anchors.length; i++) {
                out.writeDoubles(anchors[i]);
                out.writeDoubles(importances[i]);
            }
        }
    }

    /**
     * Reads a penalty written by {@link #save} over arrays of these names and lengths (those of the
     * expert's penalised arrays, which its options and data fix).
     *
     * @param owner the expert, for messages
     * @throws IOException naming the owner if the strength is negative or not finite, an array has another
     *         length, an anchor is not finite or an importance negative, not finite or overflowing with the strength
     */
    public static EwcPenalty read(StateReader in, String owner, List<String> names, int[] lengths) throws IOException {
        Objects.requireNonNull(in, "in is null");
        Objects.requireNonNull(owner, "owner is null");
        if (names.size() != lengths.length) {
            throw new IllegalArgumentException(names.size() + " names for " + lengths.length + " lengths");
        }
        double strength = in.readDouble();
        if (!(strength >= 0) || !Double.isFinite(strength)) {
            throw new IOException(owner + " checkpoint: invalid EWC strength " + strength);
        }
        if (!(strength > 0)) {
            return new EwcPenalty(strength, List.of(), null, null);
        }
        double[][] a = new double[names.size()][];
        double[][] f = new double[names.size()][];
        for (int i = 0; i < a.length; i++) {
            String name = names.get(i);
            a[i] = in.readDoubles(lengths[i], name + " (EWC anchor)");
            f[i] = in.readDoubles(lengths[i], name + " (EWC importance)");
            for (int j = 0; j < a[i].length; j++) {
                if (!Double.isFinite(a[i][j]) || !(f[i][j] >= 0) || !Double.isFinite(strength * f[i][j])) {
                    throw new IOException(owner + " checkpoint: invalid EWC anchor " + a[i][j] + " or importance " + f[i][j]
                            + " of " + name + "[" + j + "]");
                }
            }
        }
        return new EwcPenalty(strength, List.copyOf(names), a, f);
    }
}
