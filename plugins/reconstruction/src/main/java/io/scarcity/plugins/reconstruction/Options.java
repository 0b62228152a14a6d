package io.scarcity.plugins.reconstruction;

import static io.scarcity.api.OptionChecks.above;
import static io.scarcity.api.OptionChecks.atLeast;
import static io.scarcity.api.OptionChecks.inOpenClosed;
import static io.scarcity.api.OptionChecks.inRange;
import static io.scarcity.api.OptionChecks.notNull;

import io.scarcity.api.InvalidOptionException;
import io.scarcity.api.PluginConfig;
import java.util.Objects;

/**
 * Validated options of the reconstruction expert.
 *
 * @param hidden width of the encoder's and the decoder's hidden layer, in [1, 4096]
 * @param latent size of the latent code (and of a row's code in a memory), in [1, 1024]
 * @param beta weight of the KL term of the ELBO, finite and >= 0 (1 is the true ELBO, 0 a plain
 *        autoencoder with noise)
 * @param learningRate the optimiser's step size, in (0, 1]
 * @param explore standard deviation of the log-normal jitter applied to a learning-rate hint, >= 0
 * @param optimizer {@link Optimizer#ADAM} or {@link Optimizer#RMSPROP}
 * @param clipNorm the largest global L2 norm of a batch's gradient; larger ones are scaled down to it; > 0
 * @param headWeight weight of the latent head's loss in the encoder's gradient, >= 0; 0 trains the head
 *        on the latent means as fixed inputs (the code stays unsupervised)
 * @param priorRows how many of its own rows the coordinator's pooled feature moments are worth when
 *        standardising, >= 0; 0 ignores them
 * @param anomalyThreshold a row is anomalous when its reconstruction error exceeds the running mean of
 *        past errors by this many running standard deviations, > 0
 * @param minVariance floor of a feature's variance when standardising, > 0
 * @param rowsPerStep the most rows one optimiser step learns from, in [0, 1000000]: a batch of {@code n} rows (learned
 *        or replayed) takes {@code ceil(n / rowsPerStep)} steps, on consecutive slices of its rows, so that the network
 *        learns as much from a stream whatever its batch size; 0 (the default) takes one step per batch
 */
record Options(int hidden, int latent, double beta, double learningRate, double explore, Optimizer optimizer,
               double clipNorm, double headWeight, double priorRows, double anomalyThreshold, double minVariance,
               int rowsPerStep) {
    static final int DEFAULT_HIDDEN = 32;
    static final int DEFAULT_LATENT = 8;
    static final double DEFAULT_BETA = 1.0;
    static final double DEFAULT_LEARNING_RATE = 0.005;
    static final double DEFAULT_EXPLORE = 0.1;
    static final Optimizer DEFAULT_OPTIMIZER = Optimizer.ADAM;
    static final double DEFAULT_CLIP_NORM = 5.0;
    static final double DEFAULT_HEAD_WEIGHT = 5.0;
    static final double DEFAULT_PRIOR_ROWS = 200.0;
    static final double DEFAULT_ANOMALY_THRESHOLD = 3.0;
    static final double DEFAULT_MIN_VARIANCE = 1e-3;
    /** {@code rowsPerStep: 0}: one step per batch, whatever its size. */
    static final int WHOLE_BATCH = 0;
    static final int DEFAULT_ROWS_PER_STEP = WHOLE_BATCH;

    /** The update rule of each step. */
    enum Optimizer {
        /** Adam (beta1 0.9, beta2 0.999, epsilon 1e-8) with bias correction. */
        ADAM,
        /** RMSProp (decay 0.9, epsilon 1e-8). */
        RMSPROP
    }

    Options {
        notNull("optimizer", optimizer, Optimizer.class);
        inRange("hidden", hidden, 1, 4096);
        inRange("latent", latent, 1, 1024);
        atLeast("beta", beta, 0);
        inOpenClosed("learningRate", learningRate, 0, 1);
        atLeast("explore", explore, 0);
        above("clipNorm", clipNorm, 0);
        atLeast("headWeight", headWeight, 0);
        atLeast("priorRows", priorRows, 0);
        above("anomalyThreshold", anomalyThreshold, 0);
        above("minVariance", minVariance, 0);
        inRange("rowsPerStep", rowsPerStep, 0, 1_000_000);
    }

    static Options defaults() {
        return new Options(DEFAULT_HIDDEN, DEFAULT_LATENT, DEFAULT_BETA, DEFAULT_LEARNING_RATE, DEFAULT_EXPLORE,
                DEFAULT_OPTIMIZER, DEFAULT_CLIP_NORM, DEFAULT_HEAD_WEIGHT, DEFAULT_PRIOR_ROWS,
                DEFAULT_ANOMALY_THRESHOLD, DEFAULT_MIN_VARIANCE, DEFAULT_ROWS_PER_STEP);
    }

    /** Reads the options from a plugin's configuration; a bad value fails with the key's full path. */
    static Options from(PluginConfig config) {
        Objects.requireNonNull(config, "config is null");
        int hidden = config.getInt("hidden", DEFAULT_HIDDEN);
        int latent = config.getInt("latent", DEFAULT_LATENT);
        double beta = config.getDouble("beta", DEFAULT_BETA);
        double learningRate = config.getDouble("learningRate", DEFAULT_LEARNING_RATE);
        double explore = config.getDouble("explore", DEFAULT_EXPLORE);
        Optimizer optimizer = config.getEnum("optimizer", DEFAULT_OPTIMIZER);
        double clipNorm = config.getDouble("clipNorm", DEFAULT_CLIP_NORM);
        double headWeight = config.getDouble("headWeight", DEFAULT_HEAD_WEIGHT);
        double priorRows = config.getDouble("priorRows", DEFAULT_PRIOR_ROWS);
        double anomalyThreshold = config.getDouble("anomalyThreshold", DEFAULT_ANOMALY_THRESHOLD);
        double minVariance = config.getDouble("minVariance", DEFAULT_MIN_VARIANCE);
        int rowsPerStep = config.getInt("rowsPerStep", DEFAULT_ROWS_PER_STEP);
        try {
            return new Options(hidden, latent, beta, learningRate, explore, optimizer, clipNorm, headWeight, priorRows,
                    anomalyThreshold, minVariance, rowsPerStep);
        } catch (InvalidOptionException e) {
            throw config.invalid(e);
        }
    }
}
