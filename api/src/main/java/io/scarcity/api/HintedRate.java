package io.scarcity.api;

import java.util.Objects;
import java.util.Random;

/**
 * An expert's learning rate from its three sources: the configured rate, the coordinator's hints (each
 * jittered by a log-normal factor {@code exp(N(0, explore))} so that clients keep exploring around it,
 * then clamped to {@code [min, max]}; a hint replaces the rate underneath) and a supervisor's scale
 * ({@link Expert#scaleLearningRate}, kept across hints). The rate the expert uses is
 * {@code min(max, base * scale)}, exactly the base rate while the scale is 1.
 *
 * <p>One instance per expert, used from its thread only. The expert checkpoints {@link #base()} and
 * {@link #scale()} and gives them back through {@link #restore} after checking them.
 */
public final class HintedRate {
    private final String owner;
    private final double min;
    private final double max;
    private final double explore;
    private double base;
    private double scale = 1.0;

    /**
     * @param owner names the expert in error messages, e.g. {@code "geometry expert"}
     * @param configured the rate before any hint
     * @param min lower bound of a hinted rate
     * @param max upper bound of a hinted rate and of the scaled rate
     * @param explore standard deviation of the log-normal jitter of hints, {@code >= 0} (0 = none)
     */
    public HintedRate(String owner, double configured, double min, double max, double explore) {
        this.owner = Objects.requireNonNull(owner, "owner is null");
        this.base = configured;
        this.min = min;
        this.max = max;
        this.explore = explore;
    }

    /** The rate to learn with: {@code min(max, base * scale)}. */
    public double effective() {
        return Math.min(max, base * scale);
    }

    /** The configured or last hinted rate, before the scale. */
    public double base() {
        return base;
    }

    /** The supervisor's scale, 1 unless {@link #setScale} said otherwise. */
    public double scale() {
        return scale;
    }

    /**
     * Sets the supervisor's scale (what {@link Expert#scaleLearningRate} asks for).
     *
     * @return {@code true}
     * @throws IllegalArgumentException if {@code scale} is not finite and {@code > 0}
     */
    public boolean setScale(double scale) {
        if (!(scale > 0) || !Double.isFinite(scale)) {
            throw new IllegalArgumentException(owner + ": learning-rate scale must be finite and > 0, got " + scale);
        }
        this.scale = scale;
        return true;
    }

    /**
     * Takes the coordinator's hint for {@code instanceName}, if there is a finite positive one, jittered
     * with {@code random} (drawn from only when there is a hint and {@code explore > 0}) and clamped.
     */
    public void hint(MetaParameters parameters, String instanceName, Random random) {
        Double hint = parameters.learningRates().get(instanceName);
        if (hint == null || !Double.isFinite(hint) || hint <= 0) {
            return;
        }
        double jitter = explore > 0 ? Math.exp(explore * random.nextGaussian()) : 1.0;
        base = Math.min(max, Math.max(min, hint * jitter));
    }

    /** Puts back a checkpointed base rate and scale (the caller has checked them). */
    public void restore(double base, double scale) {
        this.base = base;
        this.scale = scale;
    }
}
