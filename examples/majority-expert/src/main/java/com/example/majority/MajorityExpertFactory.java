package com.example.majority;

import io.scarcity.api.Batch;
import io.scarcity.api.BatchOutcome;
import io.scarcity.api.Checkpointable;
import io.scarcity.api.ConfigException;
import io.scarcity.api.Expert;
import io.scarcity.api.ExpertCapabilities;
import io.scarcity.api.ExpertFactory;
import io.scarcity.api.ExpertState;
import io.scarcity.api.InvalidOptionException;
import io.scarcity.api.OptionChecks;
import io.scarcity.api.PluginConfig;
import io.scarcity.api.PluginContext;
import io.scarcity.api.Prediction;
import io.scarcity.api.SignalBoard;
import io.scarcity.api.StateReader;
import io.scarcity.api.StateWriter;
import java.io.IOException;
import java.util.Map;
import java.util.Set;

/**
 * A complete third-party expert: predicts the (exponentially weighted) majority class. The smallest
 * useful baseline, and a template for your own expert.
 */
public final class MajorityExpertFactory implements ExpertFactory {
    /** Options, validated on construction, with defaults. */
    record Options(double smoothing, double decay) {
        Options {
            OptionChecks.atLeast("smoothing", smoothing, 0);
            OptionChecks.inOpenClosed("decay", decay, 0, 1);
        }
    }

    @Override
    public String name() {
        return "majority";
    }

    @Override
    public String description() {
        return "Predicts the recent majority class (example third-party plugin)";
    }

    @Override
    public Expert create(PluginConfig config, PluginContext context) {
        Options options;
        try {
            options = new Options(config.getDouble("smoothing", 1.0), config.getDouble("decay", 1.0));
        } catch (InvalidOptionException e) {
            throw config.invalid(e);
        }
        int classes = context.schema()
                .orElseThrow(() -> new ConfigException(config.path(), "the majority expert runs on clients only"))
                .numClasses();
        if (classes == 0) {
            throw new ConfigException(config.path(), "the majority expert needs a classification stream");
        }
        return new MajorityExpert(classes, options);
    }

    /**
     * The expert. It implements {@link Checkpointable} so that runs using it can be checkpointed and
     * resumed: everything that changes after construction (the counts and the sample count) is saved.
     */
    private static final class MajorityExpert implements Expert, Checkpointable {
        /** Written first, so that a later format can still read (or clearly refuse) this one. */
        static final int STATE_VERSION = 1;

        private final double[] counts;
        private final Options options;
        private long samples;

        MajorityExpert(int classes, Options options) {
            this.counts = new double[classes];
            this.options = options;
        }

        @Override
        public ExpertCapabilities capabilities() {
            return new ExpertCapabilities(true, true, Set.of(), Set.of());
        }

        @Override
        public Prediction predict(Batch batch, SignalBoard signals) {
            int k = counts.length;
            double[] p = new double[batch.rows() * k];
            for (int r = 0; r < batch.rows(); r++) {
                for (int c = 0; c < k; c++) {
                    p[r * k + c] = counts[c] + options.smoothing();
                }
            }
            return Prediction.ofProbabilities(batch.rows(), k, p);
        }

        @Override
        public void learn(Batch batch, BatchOutcome outcome, SignalBoard signals) {
            if (!batch.hasLabels()) {
                return;
            }
            for (int r = 0; r < batch.rows(); r++) {
                for (int c = 0; c < counts.length; c++) {
                    counts[c] *= options.decay();
                }
                counts[batch.label(r)] += batch.weight(r);
                samples++;
            }
        }

        @Override
        public ExpertState exportState() {
            return new ExpertState("majority", Map.of("counts", counts.clone()), samples);
        }

        @Override
        public void mergeState(ExpertState merged) {
            double[] c = merged.weight("counts");
            if (c != null && c.length == counts.length) {
                System.arraycopy(c, 0, counts, 0, c.length);
            }
        }

        @Override
        public void saveState(StateWriter out) throws IOException {
            out.writeVersion(STATE_VERSION);
            out.writeDoubles(counts);
            out.writeLong(samples);
        }

        /** Restores a fresh expert; a checkpoint of a stream with another number of classes is refused. */
        @Override
        public void restoreState(StateReader in) throws IOException {
            in.readVersion("majority expert", STATE_VERSION);
            double[] c = in.readDoubles(counts.length, "majority expert's class counts");
            long n = in.readLong();
            if (n < 0) {
                throw new IOException("majority expert: corrupt checkpoint, " + n + " samples");
            }
            System.arraycopy(c, 0, counts, 0, c.length);
            samples = n;
        }
    }
}
