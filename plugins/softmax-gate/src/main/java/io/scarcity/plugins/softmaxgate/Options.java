package io.scarcity.plugins.softmaxgate;

import static io.scarcity.api.OptionChecks.atLeast;
import static io.scarcity.api.OptionChecks.inClosed;
import static io.scarcity.api.OptionChecks.inClosedOpen;
import static io.scarcity.api.OptionChecks.inOpenClosed;

import io.scarcity.api.InvalidOptionException;
import io.scarcity.api.PluginConfig;
import java.util.Objects;

/**
 * Validated options of the softmax gate.
 *
 * @param k experts activated per batch, >= 1 (all candidates if k is at least their number)
 * @param noise initial standard deviation {@code sigma_0} of the Gaussian exploration noise on the logits, >= 0
 * @param noiseDecay decay of the noise, {@code sigma_t = sigma_0 / sqrt(1 + noiseDecay * t)}, >= 0
 * @param temperature softmax temperature of the mixture weights, >= 0.001 (lower ones overflow the softmax)
 * @param learningRate first SGD step of an expert's gate weights, in (0, 1]; it then shrinks as
 *        {@code learningRate / sqrt(1 + learningRate * n_i)} with the expert's discounted count {@code n_i}
 * @param l2 L2 penalty on the gate's weights, in [0, 1)
 * @param discount factor applied to every expert's activation count and reward sum on each route, in
 *        (0, 1]; 1 = stationary (an expert's exploration bonus then only shrinks)
 * @param exploration constant {@code c} of the logit bonus {@code c * sqrt(ln(1 + t) / (1 + n_i))}, >= 0
 * @param anchor weight of the term that fits each active expert's logit to the log-odds of its own reward,
 *        >= 0; 0 = the mixture's loss alone (which cannot rank active against inactive experts)
 */
record Options(int k, double noise, double noiseDecay, double temperature, double learningRate, double l2,
               double discount, double exploration, double anchor) {
    static final double MIN_TEMPERATURE = 0.001;
    static final int DEFAULT_K = 2;
    static final double DEFAULT_NOISE = 0.5;
    static final double DEFAULT_NOISE_DECAY = 0.01;
    static final double DEFAULT_TEMPERATURE = 1.0;
    static final double DEFAULT_LEARNING_RATE = 0.1;
    static final double DEFAULT_L2 = 1e-4;
    static final double DEFAULT_DISCOUNT = 0.99;
    static final double DEFAULT_EXPLORATION = 0.5;
    static final double DEFAULT_ANCHOR = 1.0;

    Options {
        atLeast("k", k, 1);
        atLeast("noise", noise, 0);
        atLeast("noiseDecay", noiseDecay, 0);
        atLeast("temperature", temperature, MIN_TEMPERATURE);
        inOpenClosed("learningRate", learningRate, 0, 1);
        inClosedOpen("l2", l2, 0, 1);
        inOpenClosed("discount", discount, 0, 1);
        atLeast("exploration", exploration, 0);
        inClosed("anchor", anchor, 0, 10);
    }

    static Options defaults() {
        return new Options(DEFAULT_K, DEFAULT_NOISE, DEFAULT_NOISE_DECAY, DEFAULT_TEMPERATURE, DEFAULT_LEARNING_RATE,
                DEFAULT_L2, DEFAULT_DISCOUNT, DEFAULT_EXPLORATION, DEFAULT_ANCHOR);
    }

    /** Reads the options from a plugin's configuration; a bad value fails with the key's full path. */
    static Options from(PluginConfig config) {
        Objects.requireNonNull(config, "config is null");
        int k = config.getInt("k", DEFAULT_K);
        double noise = config.getDouble("noise", DEFAULT_NOISE);
        double noiseDecay = config.getDouble("noiseDecay", DEFAULT_NOISE_DECAY);
        double temperature = config.getDouble("temperature", DEFAULT_TEMPERATURE);
        double learningRate = config.getDouble("learningRate", DEFAULT_LEARNING_RATE);
        double l2 = config.getDouble("l2", DEFAULT_L2);
        double discount = config.getDouble("discount", DEFAULT_DISCOUNT);
        double exploration = config.getDouble("exploration", DEFAULT_EXPLORATION);
        double anchor = config.getDouble("anchor", DEFAULT_ANCHOR);
        try {
            return new Options(k, noise, noiseDecay, temperature, learningRate, l2, discount, exploration, anchor);
        } catch (InvalidOptionException e) {
            throw config.invalid(e);
        }
    }
}
