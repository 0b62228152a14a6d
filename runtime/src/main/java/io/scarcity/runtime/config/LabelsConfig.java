package io.scarcity.runtime.config;

import io.scarcity.api.ConfigException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Which rows of a domain's stream keep their label, and when the label arrives ({@code domains[i].labels}).
 * Without it every row is labelled at once, as in MOA's prequential evaluation.
 *
 * <ul>
 * <li>{@code rate}: the share of rows whose label ever arrives, in (0, 1]; which rows is a seeded draw per
 *     client and row (the same rows under every method of a benchmark with the same seed).</li>
 * <li>{@code delay}: rows of the client's own stream between a row's arrival (when it is predicted) and its
 *     label's: a whole number {@code >= 0}, or a distribution, {@code {distribution: uniform, min: A, max: B}}
 *     or {@code {distribution: exponential, mean: M}} (rounded down to whole rows).</li>
 * <li>{@code buffer}: the most rows waiting for their label a client holds (default 100,000); a row arriving
 *     when it is full loses its label (counted).</li>
 * <li>{@code selfTraining}: off unless set; a confidence in (0.5, 1]: a row whose label never comes and whose
 *     class the mixture gives at least this probability is learned from with that class as its label (by the
 *     predicting experts only: not by the router, the combiner, the calibration or the drift detector, which
 *     would learn to agree with themselves).</li>
 * <li>{@code withheld}: {@code true} keeps every label from the clients: they see a stream without labels
 *     ({@link io.scarcity.api.Task#UNLABELLED}) and learn its structure only. A classification stream's labels then
 *     only score the clients' anomaly flags: {@code normal} names the class of ordinary rows (default: the stream's
 *     first class), every other class is an anomaly, and accuracy and kappa are those of the flags. The other keys do
 *     not apply.</li>
 * <li>{@code unlabelledRows}: {@code learn} (the default): a row is learned from on arrival, without its label, by the
 *     experts that learn without labels (a PCA subspace, a VAE, outlier moments: the representation under the
 *     predictors' heads), and again by every learner when its label comes; {@code ignore}: it is only predicted on
 *     arrival, and learned from once, when (if) its label comes. The baseline that says what rows without labels are
 *     worth.</li>
 * </ul>
 */
public record LabelsConfig(Double rate, Object delay, Integer buffer, Double selfTraining, Boolean withheld,
                           String normal, String unlabelledRows) {
    /** Default bound on the rows a client holds while their labels are on the way. */
    public static final int DEFAULT_BUFFER = 100_000;

    public LabelsConfig {
        withheld = withheld != null && withheld;
        if (withheld && (rate != null || delay != null || buffer != null || selfTraining != null || unlabelledRows != null)) {
            String key = rate != null ? "rate" : delay != null ? "delay" : buffer != null ? "buffer"
                    : selfTraining != null ? "selfTraining" : "unlabelledRows";
            throw new ConfigException(key, "does not apply when withheld: true (the clients get no labels at all); remove "
                    + key + ", or withheld");
        }
        if (normal != null && !withheld) {
            throw new ConfigException("normal", "names the class of ordinary rows when the labels are withheld and only "
                    + "score anomaly flags; set withheld: true, or remove normal");
        }
        if (normal != null && normal.isBlank()) {
            throw new ConfigException("normal", "expected the name of a class of the stream, got an empty name");
        }
        if (rate == null) {
            rate = 1.0;
        }
        if (!(rate > 0 && rate <= 1)) {
            throw new ConfigException("rate", "expected the share of rows whose label arrives, in (0, 1], got " + rate
                    + "; e.g. rate: 0.05 keeps one label in twenty");
        }
        delayLaw(delay);
        if (buffer == null) {
            buffer = DEFAULT_BUFFER;
        }
        if (selfTraining != null && !(selfTraining > 0.5 && selfTraining <= 1)) {
            throw new ConfigException("selfTraining", "expected the confidence above which an unlabelled row is learned "
                    + "with the predicted class, in (0.5, 1], got " + selfTraining + "; leave it out for none");
        }
        if (unlabelledRows == null) {
            unlabelledRows = "learn";
        }
        if (!unlabelledRows.equals("learn") && !unlabelledRows.equals("ignore")) {
            throw new ConfigException("unlabelledRows", "expected learn (rows are learned from on arrival, before their"
                    + " labels) or ignore (only once their label comes), got '" + unlabelledRows + "'");
        }
        if (selfTraining != null && unlabelledRows.equals("ignore")) {
            throw new ConfigException("unlabelledRows", "is ignore, but selfTraining learns the rows whose label never"
                    + " comes (with the class the mixture is sure of); remove one of them");
        }
        if (buffer < 1) {
            throw new ConfigException("buffer", "expected the most rows a client holds while their labels are on the way "
                    + "(>= 1), got " + buffer);
        }
    }

    /** Every row labelled at once: what a domain without {@code labels} gets. */
    public static final LabelsConfig ALL = new LabelsConfig(1.0, 0, DEFAULT_BUFFER, null, false, null, "learn");

    /** Whether rows are learned from on arrival, before their labels come ({@code unlabelledRows: learn}). */
    public boolean learnsUnlabelledRows() {
        return unlabelledRows.equals("learn");
    }

    /** Whether every row keeps its label and gets it at once (the stream as it is). */
    public boolean everyRowAtOnce() {
        return !withheld && rate == 1.0 && delayLaw().fixedZero();
    }

    /**
     * The index of the normal class among {@code classes} ({@code withheld} on a classification stream): the class
     * {@code normal} names, or the first.
     *
     * @throws ConfigException naming {@code normal} if it is not one of the classes
     */
    public int normalClass(java.util.List<String> classes) {
        if (normal == null) {
            return 0;
        }
        int i = classes.indexOf(normal);
        if (i < 0) {
            throw new ConfigException("normal", "'" + normal + "' is not one of the stream's classes " + classes
                    + "; name the class of ordinary rows");
        }
        return i;
    }

    /** The delay, checked. */
    public DelayLaw delayLaw() {
        return delayLaw(delay);
    }

    private static DelayLaw delayLaw(Object delay) {
        if (delay == null) {
            return DelayLaw.fixed(0);
        }
        if (delay instanceof Number n) {
            double v = n.doubleValue();
            if (!(v >= 0) || v != Math.floor(v) || v > Integer.MAX_VALUE) {
                throw new ConfigException("delay", "expected a whole number of rows >= 0, got " + delay
                        + "; or {distribution: uniform, min: A, max: B} or {distribution: exponential, mean: M}");
            }
            return DelayLaw.fixed((int) v);
        }
        if (!(delay instanceof Map<?, ?> m)) {
            throw new ConfigException("delay", "expected a whole number of rows >= 0 or {distribution: uniform, min: A, "
                    + "max: B} or {distribution: exponential, mean: M}, got " + delay);
        }
        Map<String, Object> map = new LinkedHashMap<>();
        m.forEach((k, v) -> map.put(String.valueOf(k), v));
        Object kind = map.get("distribution");
        if ("uniform".equals(kind)) {
            only(map, Set.of("distribution", "min", "max"));
            double min = wholeRows(map, "min");
            double max = wholeRows(map, "max");
            if (max < min) {
                throw new ConfigException("delay.max", "expected max >= min (" + (long) min + "), got " + (long) max);
            }
            return DelayLaw.uniform((int) min, (int) max);
        }
        if ("exponential".equals(kind)) {
            only(map, Set.of("distribution", "mean"));
            Object mean = map.get("mean");
            if (!(mean instanceof Number n) || !(n.doubleValue() > 0) || Double.isInfinite(n.doubleValue())) {
                throw new ConfigException("delay.mean", "expected the mean delay in rows (> 0), got " + mean);
            }
            return DelayLaw.exponential(n.doubleValue());
        }
        throw new ConfigException("delay.distribution", "expected uniform or exponential, got " + kind);
    }

    private static void only(Map<String, Object> map, Set<String> keys) {
        for (String k : map.keySet()) {
            if (!keys.contains(k)) {
                throw new ConfigException("delay." + k, "unknown key; this distribution takes " + String.join(", ",
                        keys.stream().sorted().toList()));
            }
        }
    }

    private static double wholeRows(Map<String, Object> map, String key) {
        Object v = map.get(key);
        if (!(v instanceof Number n) || !(n.doubleValue() >= 0) || n.doubleValue() != Math.floor(n.doubleValue())
                || n.doubleValue() > Integer.MAX_VALUE) {
            throw new ConfigException("delay." + key, "expected a whole number of rows >= 0, got " + v);
        }
        return n.doubleValue();
    }

    /**
     * How many rows after its arrival a row's label arrives.
     *
     * @param kind {@code fixed}, {@code uniform} or {@code exponential}
     * @param a the fixed delay, the uniform minimum, or the exponential mean
     * @param b the uniform maximum (else unused)
     */
    public record DelayLaw(String kind, double a, double b) {
        static DelayLaw fixed(int rows) {
            return new DelayLaw("fixed", rows, rows);
        }

        static DelayLaw uniform(int min, int max) {
            return new DelayLaw("uniform", min, max);
        }

        static DelayLaw exponential(double mean) {
            return new DelayLaw("exponential", mean, mean);
        }

        /** Whether every label arrives with its row. */
        public boolean fixedZero() {
            return kind.equals("fixed") && a == 0;
        }

        /** The delay for a uniform draw {@code u} in [0, 1). */
        public long draw(double u) {
            return switch (kind) {
                case "fixed" -> (long) a;
                case "uniform" -> (long) (a + Math.floor(u * (b - a + 1)));
                default -> (long) Math.floor(-a * Math.log1p(-u));
            };
        }
    }
}
