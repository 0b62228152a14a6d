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
    /** Fraction bits of the fixed-point encoding: sums are exact to 2^-12, up to about 10^12 per value and 1,000 clients. */
    public static final int FRACTION_BITS = 12;

    private SecureMoments() {
    }

    public static int length(int features) {
        return 1 + 2 * features;
    }

    static long[] encode(FeatureMoments m, int features) {
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
        return SecureAggregation.encode(v, FRACTION_BITS);
    }

    /** The moments of all the rows whose sums were added into {@code sum}. */
    public static FeatureMoments decode(long[] sum, int features) {
        double[] v = SecureAggregation.decode(sum, FRACTION_BITS);
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

    static Insight withoutMoments(Insight i, int features) {
        return new Insight(i.client(), i.domain(), i.round(), i.samples(), i.accuracy(), i.loss(), i.experts(), i.signals(),
                new FeatureMoments(0, new double[features], new double[features]));
    }
}
