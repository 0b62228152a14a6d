package io.scarcity.runtime.client;

import io.scarcity.api.FeatureMoments;
import io.scarcity.api.Insight;
import io.scarcity.runtime.secagg.SecureAggregation;

/**
 * Feature moments as the sums secure aggregation adds up: the row count, each feature's sum and its sum of squares
 * ({@code m2 + count * mean^2}), in fixed point with {@link #FRACTION_BITS} fraction bits, so that the sum of many
 * clients' vectors decodes to the moments of all their rows.
 */
public final class SecureMoments {
    /**
     * Fraction bits of the fixed-point encoding: values are exact to 2^-12 and may reach 2^36 (about 6.9 x 10^10) per
     * client; beyond, a client drops out of that aggregation (logged). An expert state is summed times its samples.
     */
    public static final int FRACTION_BITS = 12;

    private SecureMoments() {
    }

    public static int length(int features) {
        return 1 + 2 * features;
    }

    static long[] encode(FeatureMoments m, int features) {
        return SecureAggregation.encode(sums(m, features), FRACTION_BITS);
    }

    /** The row count, each feature's sum and its sum of squares; zeros for moments of no rows or of another dimension. */
    static double[] sums(FeatureMoments m, int features) {
        double[] v = new double[length(features)];
        if (m.count() > 0 && m.dimensions() == features) {
            double[] mean = m.mean();
            double[] m2 = m.m2();
            v[0] = m.count();
            for (int j = 0; j < features; j++) {
                v[1 + j] = m.count() * mean[j];
                v[1 + features + j] = m2[j] + m.count() * mean[j] * mean[j];
            }
        }
        return v;
    }

    /** The moments of all the rows whose sums were added into {@code sum}. */
    public static FeatureMoments decode(long[] sum, int features) {
        return fromSums(SecureAggregation.decode(sum, FRACTION_BITS), features);
    }

    /** The moments of the rows whose {@link #sums} add up to {@code v}. */
    static FeatureMoments fromSums(double[] v, int features) {
        long count = Math.round(v[0]);
        double[] mean = new double[features];
        double[] m2 = new double[features];
        if (count > 0) {
            for (int j = 0; j < features; j++) {
                mean[j] = v[1 + j] / count;
                m2[j] = Math.max(0, v[1 + features + j] - count * mean[j] * mean[j]);
            }
        }
        return new FeatureMoments(Math.max(0, count), mean, m2);
    }

    /**
     * The subject of a weight-sharing aggregation: the expert instance and the arrays of its state that every client
     * taking part has with one length (those are summed; the others are not shared).
     */
    public static String expertSubject(String expert, java.util.Collection<String> arrays) {
        return "expert:" + expert + "|" + String.join("|", arrays);
    }

    /** The expert instance of an {@link #expertSubject}. */
    static String expertOf(String subject) {
        String rest = subject.substring("expert:".length());
        int bar = rest.indexOf('|');
        return bar < 0 ? rest : rest.substring(0, bar);
    }

    /** The arrays of an {@link #expertSubject}. */
    static java.util.List<String> arraysOf(String subject) {
        String rest = subject.substring("expert:".length());
        int bar = rest.indexOf('|');
        return bar < 0 || bar == rest.length() - 1 ? java.util.List.of()
                : java.util.List.of(rest.substring(bar + 1).split("\\|"));
    }

    /**
     * An expert state as secure aggregation sums it: the named arrays' values times the state's samples, in the given
     * order, then the samples.
     *
     * @throws IllegalArgumentException if the state lacks one of the arrays
     */
    static long[] weighted(io.scarcity.api.ExpertState state, java.util.List<String> arrays) {
        int length = 1;
        for (String a : arrays) {
            double[] v = state.weights().get(a);
            if (v == null) {
                throw new IllegalArgumentException("the state has no array '" + a + "'");
            }
            length += v.length;
        }
        double[] out = new double[length];
        double w = state.samples();
        int k = 0;
        for (String a : arrays) {
            for (double x : state.weights().get(a)) {
                out[k++] = w * x;
            }
        }
        out[k] = w;
        return SecureAggregation.encode(out, FRACTION_BITS);
    }

    /**
     * The sample-weighted mean of the states whose {@link #weighted} vectors (arrays as in {@code shape}, in its order)
     * of {@code clients} clients were summed into {@code sum}; its samples are their mean, as
     * {@link io.scarcity.api.ExpertState#weightedMean} gives.
     */
    public static io.scarcity.api.ExpertState mean(long[] sum, io.scarcity.api.ExpertState shape, int clients) {
        double[] v = SecureAggregation.decode(sum, FRACTION_BITS);
        double w = v[v.length - 1];
        java.util.Map<String, double[]> arrays = new java.util.TreeMap<>();
        int k = 0;
        for (java.util.Map.Entry<String, double[]> e : shape.weights().entrySet()) {
            double[] a = new double[e.getValue().length];
            for (int i = 0; i < a.length; i++) {
                a[i] = w > 0 ? v[k] / w : 0;
                k++;
            }
            arrays.put(e.getKey(), a);
        }
        return new io.scarcity.api.ExpertState(shape.expert(), arrays, Math.max(0, Math.round(w / Math.max(1, clients))));
    }

    /** The length of the vector {@link #weighted} makes of states shaped like {@code shape}. */
    public static int length(io.scarcity.api.ExpertState shape) {
        int length = 1;
        for (double[] v : shape.weights().values()) {
            length += v.length;
        }
        return length;
    }

    static Insight withoutMoments(Insight i, int features) {
        return new Insight(i.client(), i.domain(), i.round(), i.samples(), i.accuracy(), i.loss(), i.experts(), i.signals(),
                new FeatureMoments(0, new double[features], new double[features]));
    }
}
