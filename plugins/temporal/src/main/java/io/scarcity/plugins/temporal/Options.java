package io.scarcity.plugins.temporal;

import static io.scarcity.api.OptionChecks.above;
import static io.scarcity.api.OptionChecks.atLeast;
import static io.scarcity.api.OptionChecks.inOpenClosed;
import static io.scarcity.api.OptionChecks.inRange;

import io.scarcity.api.InvalidOptionException;
import io.scarcity.api.PluginConfig;
import java.util.Objects;

/**
 * Validated options of the temporal expert.
 *
 * @param window rows per window (the LSTM's sequence length and the truncation of back-propagation
 *        through time), 1..{@value #MAX_WINDOW}
 * @param hidden units per LSTM layer, 1..{@value #MAX_HIDDEN}
 * @param layers stacked LSTM layers, 1..{@value #MAX_LAYERS}
 * @param learningRate Adam's step size, in (0, 1]
 * @param explore standard deviation of the log-normal jitter applied to a learning-rate hint, >= 0
 * @param clip maximum L2 norm of a batch's gradient (larger ones are scaled down to it), > 0
 * @param forecastWeight weight of the auxiliary next-step forecast loss next to the labels' loss, >= 0
 *        (on unlabelled batches the forecast is the only loss)
 */
record Options(int window, int hidden, int layers, double learningRate, double explore, double clip,
               double forecastWeight) {
    /**
     * Longest window: the forward pass keeps {@code window x batch} rows of activations per layer
     * (about {@code 8 (9 hidden + features)} bytes each) and back-propagation runs through all of them;
     * longer dependencies than this are beyond what truncated back-propagation through a sliding window
     * can learn at a sane cost.
     */
    static final int MAX_WINDOW = 512;
    static final int MAX_HIDDEN = 1024;
    static final int MAX_LAYERS = 3;

    static final int DEFAULT_WINDOW = 8;
    static final int DEFAULT_HIDDEN = 16;
    static final int DEFAULT_LAYERS = 1;
    static final double DEFAULT_LEARNING_RATE = 0.01;
    static final double DEFAULT_EXPLORE = 0.1;
    static final double DEFAULT_CLIP = 1.0;
    static final double DEFAULT_FORECAST_WEIGHT = 0.5;

    Options {
        inRange("window", window, 1, MAX_WINDOW);
        inRange("hidden", hidden, 1, MAX_HIDDEN);
        inRange("layers", layers, 1, MAX_LAYERS);
        inOpenClosed("learningRate", learningRate, 0, 1);
        atLeast("explore", explore, 0);
        above("clip", clip, 0);
        atLeast("forecastWeight", forecastWeight, 0);
    }

    static Options defaults() {
        return new Options(DEFAULT_WINDOW, DEFAULT_HIDDEN, DEFAULT_LAYERS, DEFAULT_LEARNING_RATE, DEFAULT_EXPLORE,
                DEFAULT_CLIP, DEFAULT_FORECAST_WEIGHT);
    }

    /** Reads the options from a plugin's configuration; a bad value fails with the key's full path. */
    static Options from(PluginConfig config) {
        Objects.requireNonNull(config, "config is null");
        int window = config.getInt("window", DEFAULT_WINDOW);
        int hidden = config.getInt("hidden", DEFAULT_HIDDEN);
        int layers = config.getInt("layers", DEFAULT_LAYERS);
        double learningRate = config.getDouble("learningRate", DEFAULT_LEARNING_RATE);
        double explore = config.getDouble("explore", DEFAULT_EXPLORE);
        double clip = config.getDouble("clip", DEFAULT_CLIP);
        double forecastWeight = config.getDouble("forecastWeight", DEFAULT_FORECAST_WEIGHT);
        try {
            return new Options(window, hidden, layers, learningRate, explore, clip, forecastWeight);
        } catch (InvalidOptionException e) {
            throw config.invalid(e);
        }
    }
}
