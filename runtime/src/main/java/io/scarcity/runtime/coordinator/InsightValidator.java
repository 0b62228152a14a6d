package io.scarcity.runtime.coordinator;

import io.scarcity.api.ExpertReport;
import io.scarcity.api.Insight;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * What the coordinator checks of an insight before storing it: the round it was sent in, its fields,
 * counts, finite numbers in range, expert names the run knows, and its serialized size. Thread-safe.
 */
public final class InsightValidator {
    /** The default maximum serialized size of one insight: 1 MiB. */
    public static final long DEFAULT_MAX_BYTES = 1L << 20;

    /** Why an insight was rejected; {@link #label()} is the key of the per-reason counts. */
    public enum Reason {
        WRONG_ROUND("wrong round"),
        MALFORMED("malformed"),
        NEGATIVE_COUNT("negative count"),
        NOT_FINITE("not finite"),
        OUT_OF_RANGE("out of range"),
        UNKNOWN_EXPERT("unknown expert"),
        OVERSIZED("oversized payload");

        private final String label;

        Reason(String label) {
            this.label = label;
        }

        public String label() {
            return label;
        }
    }

    /** A rejection: its reason and what exactly was wrong. */
    public record Rejection(Reason reason, String detail) {
        public Rejection {
            Objects.requireNonNull(reason, "reason is null");
            Objects.requireNonNull(detail, "detail is null");
        }

        @Override
        public String toString() {
            return reason.label() + ": " + detail;
        }
    }

    private final Optional<Set<String>> experts;
    private final long maxBytes;

    /**
     * @param experts the run's expert instance names; an insight reporting any other is rejected
     * @param maxBytes the largest accepted insight, in bytes of its JSON form
     */
    public InsightValidator(Set<String> experts, long maxBytes) {
        this(Optional.of(Set.copyOf(Objects.requireNonNull(experts, "experts is null"))), maxBytes);
    }

    private InsightValidator(Optional<Set<String>> experts, long maxBytes) {
        if (maxBytes < 1) {
            throw new IllegalArgumentException("maxBytes must be >= 1, got " + maxBytes);
        }
        this.experts = experts;
        this.maxBytes = maxBytes;
    }

    /** Knows the run's experts; the default maximum size. */
    public static InsightValidator forExperts(Set<String> experts) {
        return new InsightValidator(experts, DEFAULT_MAX_BYTES);
    }

    /** Accepts any expert name; the default maximum size. For callers that do not know the run's experts. */
    public static InsightValidator anyExpert() {
        return new InsightValidator(Optional.empty(), DEFAULT_MAX_BYTES);
    }

    public long maxBytes() {
        return maxBytes;
    }

    /** Why the insight must not be stored, or empty if it may. */
    public Optional<Rejection> check(Insight i, int round) {
        Objects.requireNonNull(i, "insight is null");
        Rejection r = firstProblem(i, round);
        return Optional.ofNullable(r);
    }

    private Rejection firstProblem(Insight i, int round) {
        if (i.round() != round) {
            return new Rejection(Reason.WRONG_ROUND, "round " + i.round() + " sent in round " + round);
        }
        if (i.client().isBlank()) {
            return new Rejection(Reason.MALFORMED, "client id is blank");
        }
        if (i.domain().isBlank()) {
            return new Rejection(Reason.MALFORMED, "domain is blank");
        }
        if (i.samples() < 0) {
            return new Rejection(Reason.NEGATIVE_COUNT, "samples " + i.samples());
        }
        if (Double.isInfinite(i.accuracy())) {
            return new Rejection(Reason.NOT_FINITE, "accuracy " + i.accuracy());
        }
        if (i.accuracy() < 0 || i.accuracy() > 1) {
            return new Rejection(Reason.OUT_OF_RANGE, "accuracy outside [0, 1]: " + i.accuracy());
        }
        if (Double.isInfinite(i.loss())) {
            return new Rejection(Reason.NOT_FINITE, "loss " + i.loss());
        }
        if (i.loss() < 0) {
            return new Rejection(Reason.OUT_OF_RANGE, "negative loss " + i.loss());
        }
        for (Map.Entry<String, ExpertReport> e : i.experts().entrySet()) {
            Rejection r = reportProblem(e.getKey(), e.getValue());
            if (r != null) {
                return r;
            }
        }
        Rejection r = signalsProblem("signal", i.signals());
        if (r != null) {
            return r;
        }
        r = momentsProblem(i);
        if (r != null) {
            return r;
        }
        if (experts.isPresent()) {
            Set<String> unknown = new TreeSet<>(i.experts().keySet());
            unknown.removeAll(experts.get());
            if (!unknown.isEmpty()) {
                return new Rejection(Reason.UNKNOWN_EXPERT, "expert '" + unknown.iterator().next()
                        + "' is not one of the run's experts " + new TreeSet<>(experts.get()));
            }
        }
        long bytes = InsightCodec.encode(i).length;
        if (bytes > maxBytes) {
            return new Rejection(Reason.OVERSIZED, bytes + " bytes of JSON, more than the maximum " + maxBytes);
        }
        return null;
    }

    private static Rejection reportProblem(String key, ExpertReport r) {
        if (r == null) {
            return new Rejection(Reason.MALFORMED, "expert '" + key + "' has no report");
        }
        if (!key.equals(r.expert())) {
            return new Rejection(Reason.MALFORMED, "report of expert '" + r.expert() + "' filed under '" + key + "'");
        }
        if (r.plugin().isBlank()) {
            return new Rejection(Reason.MALFORMED, "expert '" + key + "' names no plugin");
        }
        if (r.samples() < 0 || r.activations() < 0) {
            return new Rejection(Reason.NEGATIVE_COUNT, "expert '" + key + "' samples " + r.samples()
                    + ", activations " + r.activations());
        }
        if (Double.isInfinite(r.loss())) {
            return new Rejection(Reason.NOT_FINITE, "expert '" + key + "' loss " + r.loss());
        }
        if (r.loss() < 0) {
            return new Rejection(Reason.OUT_OF_RANGE, "expert '" + key + "' negative loss " + r.loss());
        }
        if (Double.isInfinite(r.learningRate())) {
            return new Rejection(Reason.NOT_FINITE, "expert '" + key + "' learning rate " + r.learningRate());
        }
        if (r.learningRate() < 0) {
            return new Rejection(Reason.OUT_OF_RANGE, "expert '" + key + "' negative learning rate " + r.learningRate());
        }
        return signalsProblem("expert '" + key + "' signal", r.signals());
    }

    private static Rejection signalsProblem(String what, Map<String, Double> signals) {
        for (Map.Entry<String, Double> s : signals.entrySet()) {
            if (s.getKey().isBlank()) {
                return new Rejection(Reason.MALFORMED, what + " with a blank name");
            }
            if (s.getValue() == null) {
                return new Rejection(Reason.MALFORMED, what + " '" + s.getKey() + "' has no value");
            }
            if (!Double.isFinite(s.getValue())) {
                return new Rejection(Reason.NOT_FINITE, what + " '" + s.getKey() + "' is " + s.getValue());
            }
        }
        return null;
    }

    private static Rejection momentsProblem(Insight i) {
        double[] mean = i.moments().mean();
        double[] m2 = i.moments().m2();
        for (int f = 0; f < mean.length; f++) {
            if (!Double.isFinite(mean[f]) || !Double.isFinite(m2[f])) {
                return new Rejection(Reason.NOT_FINITE, "feature " + f + " moments mean " + mean[f] + ", m2 " + m2[f]);
            }
            if (m2[f] < 0) {
                return new Rejection(Reason.OUT_OF_RANGE, "feature " + f + " negative sum of squared deviations " + m2[f]);
            }
        }
        return null;
    }
}
