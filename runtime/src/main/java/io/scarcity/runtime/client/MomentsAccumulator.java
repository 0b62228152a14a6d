package io.scarcity.runtime.client;

import io.scarcity.api.Batch;
import io.scarcity.api.FeatureMoments;

/** Welford's running mean and M2 per feature over a round's rows. */
final class MomentsAccumulator implements io.scarcity.api.Checkpointable {
    private final double[] mean;
    private final double[] m2;
    private long count;

    MomentsAccumulator(int features) {
        mean = new double[features];
        m2 = new double[features];
    }

    @Override
    public void saveState(io.scarcity.api.StateWriter out) throws java.io.IOException {
        out.writeLong(count);
        out.writeDoubles(mean);
        out.writeDoubles(m2);
    }

    @Override
    public void restoreState(io.scarcity.api.StateReader in) throws java.io.IOException {
        count = in.readLong();
        System.arraycopy(in.readDoubles(mean.length, "pooled feature means"), 0, mean, 0, mean.length);
        System.arraycopy(in.readDoubles(m2.length, "pooled feature M2"), 0, m2, 0, m2.length);
    }

    void add(Batch batch) {
        int d = mean.length;
        for (int r = 0; r < batch.rows(); r++) {
            count++;
            for (int j = 0; j < d; j++) {
                double x = batch.value(r, j);
                double delta = x - mean[j];
                mean[j] += delta / count;
                m2[j] += delta * (x - mean[j]);
            }
        }
    }

    /**
     * The pooled moments if they cover at least {@code minRows} rows (then a fresh start); otherwise
     * zero-count moments, and the rows stay pooled for a later round.
     */
    FeatureMoments drain(int minRows) {
        if (count < minRows) {
            return new FeatureMoments(0, new double[mean.length], new double[mean.length]);
        }
        FeatureMoments m = new FeatureMoments(count, mean, m2);
        java.util.Arrays.fill(mean, 0);
        java.util.Arrays.fill(m2, 0);
        count = 0;
        return m;
    }
}
