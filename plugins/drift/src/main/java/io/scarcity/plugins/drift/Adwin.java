package io.scarcity.plugins.drift;

/**
 * The api's ADWIN2 ({@link io.scarcity.api.Adwin}, shared with the forest expert) as this expert's
 * {@link LossDetector}.
 */
final class Adwin extends io.scarcity.api.Adwin implements LossDetector {
    Adwin(double delta, double warningFraction) {
        super(delta, warningFraction);
    }
}
