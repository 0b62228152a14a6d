package io.scarcity.plugins.peerselection;

import static io.scarcity.api.OptionChecks.atLeast;
import static io.scarcity.api.OptionChecks.inOpenClosed;
import static io.scarcity.api.OptionChecks.inRange;

import io.scarcity.api.InvalidOptionException;
import io.scarcity.api.PluginConfig;
import java.util.Objects;

/**
 * Validated options of the peer-selection expert.
 *
 * @param dimensions size m of the random projection, in [1, 1024]
 * @param learningRate per-row weight of the exponentially weighted signature, in (0, 1] (a batch of r rows
 *        weighs {@code 1 - (1 - learningRate)^r}, so the memory does not depend on the batch size); until
 *        {@code 1 / learningRate} rows have been seen the signature is the plain running mean
 * @param noise standard deviation of the Gaussian noise added to every published coordinate, >= 0, in the
 *        units of the signature (feature units for the projection, proportions for the labels)
 * @param squares whether the signature also holds the mean of the squared projections (second moments)
 * @param labels whether a classification client appends its label distribution to the signature
 * @param classMeans whether a classification client also appends, for each class, the exponentially weighted mean
 *        of the projection over that class's rows (classes x dimensions coordinates): concept-aware signatures,
 *        which reveal more about the client's data (see {@link PeerSelectionExpert})
 */
record Options(int dimensions, double learningRate, double noise, boolean squares, boolean labels, boolean classMeans) {
    static final int DEFAULT_DIMENSIONS = 16;
    static final double DEFAULT_LEARNING_RATE = 0.01;
    static final double DEFAULT_NOISE = 0.01;
    static final boolean DEFAULT_SQUARES = false;
    static final boolean DEFAULT_LABELS = true;
    static final boolean DEFAULT_CLASS_MEANS = false;
    static final int MAX_DIMENSIONS = 1024;

    Options {
        inRange("dimensions", dimensions, 1, MAX_DIMENSIONS);
        inOpenClosed("learningRate", learningRate, 0, 1);
        atLeast("noise", noise, 0);
    }

    /** Options without per-class means ({@code classMeans = false}, the default). */
    Options(int dimensions, double learningRate, double noise, boolean squares, boolean labels) {
        this(dimensions, learningRate, noise, squares, labels, DEFAULT_CLASS_MEANS);
    }

    static Options defaults() {
        return new Options(DEFAULT_DIMENSIONS, DEFAULT_LEARNING_RATE, DEFAULT_NOISE, DEFAULT_SQUARES, DEFAULT_LABELS,
                DEFAULT_CLASS_MEANS);
    }

    /** Reads the options from a plugin's configuration; a bad value fails with the key's full path. */
    static Options from(PluginConfig config) {
        Objects.requireNonNull(config, "config is null");
        int dimensions = config.getInt("dimensions", DEFAULT_DIMENSIONS);
        double learningRate = config.getDouble("learningRate", DEFAULT_LEARNING_RATE);
        double noise = config.getDouble("noise", DEFAULT_NOISE);
        boolean squares = config.getBoolean("squares", DEFAULT_SQUARES);
        boolean labels = config.getBoolean("labels", DEFAULT_LABELS);
        boolean classMeans = config.getBoolean("classMeans", DEFAULT_CLASS_MEANS);
        try {
            return new Options(dimensions, learningRate, noise, squares, labels, classMeans);
        } catch (InvalidOptionException e) {
            throw config.invalid(e);
        }
    }
}
