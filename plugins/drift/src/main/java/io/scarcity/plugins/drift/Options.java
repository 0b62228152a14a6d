package io.scarcity.plugins.drift;

import static io.scarcity.api.OptionChecks.above;
import static io.scarcity.api.OptionChecks.atLeast;
import static io.scarcity.api.OptionChecks.inOpen;
import static io.scarcity.api.OptionChecks.inOpenClosed;
import static io.scarcity.api.OptionChecks.inRange;
import static io.scarcity.api.OptionChecks.oneOf;

import io.scarcity.api.InvalidOptionException;
import io.scarcity.api.PluginConfig;
import java.util.List;
import java.util.Objects;

/**
 * Validated options of the drift expert.
 *
 * <p>Loss detector ({@code detector}, one of {@link #DETECTORS}):
 * @param delta page-hinkley: magnitude of change tolerated per row, >= 0
 * @param lambda page-hinkley: detection threshold on the Page-Hinkley statistic, > 0
 * @param alpha page-hinkley: fading factor of the cumulative sum, in (0, 1]; 1 = no fading
 * @param minInstances page-hinkley and ddm: rows since the last reset before a detection may fire, >= 1
 * @param warningFraction page-hinkley and adwin: fraction of the detection threshold above which the
 *        warning is raised, in (0, 1)
 * @param detector {@code page-hinkley} (default), {@code adwin} or {@code ddm}
 * @param adwinDelta adwin: confidence of the cut test, in (0, 1) (named apart from Page-Hinkley's
 *        {@code delta}, which is a magnitude, not a probability)
 * @param warningLevel ddm: warning at {@code p_min + warningLevel * s_min}, > 0
 * @param driftLevel ddm: change at {@code p_min + driftLevel * s_min}, > warningLevel
 * <p>Feature drift (KL divergence between windows of each feature; see {@link FeatureDrift}):
 * @param featureDrift whether to watch the features' distributions (off by default)
 * @param referenceRows rows of the reference window, >= bins
 * @param recentRows rows of the sliding recent window, >= bins and <= 1,000,000
 * @param bins histogram bins per feature (reference quantiles), in [2, 1000]
 * @param klThreshold symmetric KL divergence above which a feature has drifted, > 0
 * @param smoothing pseudo-count added to every bin (1 = Laplace), > 0
 */
record Options(double delta, double lambda, double alpha, int minInstances, double warningFraction,
               String detector, double adwinDelta, double warningLevel, double driftLevel,
               boolean featureDrift, int referenceRows, int recentRows, int bins, double klThreshold, double smoothing) {
    static final String PAGE_HINKLEY = "page-hinkley";
    static final String ADWIN = "adwin";
    static final String DDM = "ddm";
    static final List<String> DETECTORS = List.of(PAGE_HINKLEY, ADWIN, DDM);

    static final double DEFAULT_DELTA = 0.005;
    static final double DEFAULT_LAMBDA = 50;
    static final double DEFAULT_ALPHA = 0.9999;
    static final int DEFAULT_MIN_INSTANCES = 30;
    static final double DEFAULT_WARNING_FRACTION = 0.5;
    static final double DEFAULT_ADWIN_DELTA = 0.002;
    static final double DEFAULT_WARNING_LEVEL = 2;
    static final double DEFAULT_DRIFT_LEVEL = 3;
    static final int DEFAULT_REFERENCE_ROWS = 1000;
    static final int DEFAULT_RECENT_ROWS = 500;
    static final int DEFAULT_BINS = 10;
    static final double DEFAULT_KL_THRESHOLD = 0.1;
    static final double DEFAULT_SMOOTHING = 1;

    /** Options that only one detector reads; setting them for another is refused. */
    private static final List<String> PAGE_HINKLEY_ONLY = List.of("delta", "lambda", "alpha");
    private static final List<String> ADWIN_ONLY = List.of("adwinDelta");
    private static final List<String> DDM_ONLY = List.of("warningLevel", "driftLevel");
    private static final List<String> FEATURE_DRIFT_ONLY = List.of("referenceRows", "recentRows", "bins", "klThreshold",
            "smoothing");

    Options {
        atLeast("delta", delta, 0);
        above("lambda", lambda, 0);
        inOpenClosed("alpha", alpha, 0, 1);
        atLeast("minInstances", minInstances, 1);
        inOpen("warningFraction", warningFraction, 0, 1);
        oneOf("detector", detector, DETECTORS);
        inOpen("adwinDelta", adwinDelta, 0, 1);
        above("warningLevel", warningLevel, 0);
        if (!(driftLevel > warningLevel) || Double.isInfinite(driftLevel)) {
            throw new InvalidOptionException("driftLevel", "must be finite and > warningLevel (" + warningLevel + "), got "
                    + driftLevel);
        }
        inRange("bins", bins, 2, 1000);
        if (referenceRows < bins) {
            throw new InvalidOptionException("referenceRows", "must be >= bins (" + bins + "), got " + referenceRows);
        }
        if (recentRows < bins || recentRows > 1_000_000) {
            throw new InvalidOptionException("recentRows", "must be in [bins (" + bins + "), 1000000], got " + recentRows);
        }
        above("klThreshold", klThreshold, 0);
        above("smoothing", smoothing, 0);
    }

    /** The Page-Hinkley detector with these settings and every other option at its default. */
    Options(double delta, double lambda, double alpha, int minInstances, double warningFraction) {
        this(delta, lambda, alpha, minInstances, warningFraction, PAGE_HINKLEY, DEFAULT_ADWIN_DELTA, DEFAULT_WARNING_LEVEL,
                DEFAULT_DRIFT_LEVEL, false, DEFAULT_REFERENCE_ROWS, DEFAULT_RECENT_ROWS, DEFAULT_BINS, DEFAULT_KL_THRESHOLD,
                DEFAULT_SMOOTHING);
    }

    static Options defaults() {
        return new Options(DEFAULT_DELTA, DEFAULT_LAMBDA, DEFAULT_ALPHA, DEFAULT_MIN_INSTANCES, DEFAULT_WARNING_FRACTION);
    }

    /** Reads the options from a plugin's configuration; a bad value fails with the key's full path. */
    static Options from(PluginConfig config) {
        Objects.requireNonNull(config, "config is null");
        double delta = config.getDouble("delta", DEFAULT_DELTA);
        double lambda = config.getDouble("lambda", DEFAULT_LAMBDA);
        double alpha = config.getDouble("alpha", DEFAULT_ALPHA);
        int minInstances = config.getInt("minInstances", DEFAULT_MIN_INSTANCES);
        double warningFraction = config.getDouble("warningFraction", DEFAULT_WARNING_FRACTION);
        String detector = config.getString("detector", PAGE_HINKLEY);
        double adwinDelta = config.getDouble("adwinDelta", DEFAULT_ADWIN_DELTA);
        double warningLevel = config.getDouble("warningLevel", DEFAULT_WARNING_LEVEL);
        double driftLevel = config.getDouble("driftLevel", DEFAULT_DRIFT_LEVEL);
        boolean featureDrift = config.getBoolean("featureDrift", false);
        int referenceRows = config.getInt("referenceRows", DEFAULT_REFERENCE_ROWS);
        int recentRows = config.getInt("recentRows", DEFAULT_RECENT_ROWS);
        int bins = config.getInt("bins", DEFAULT_BINS);
        double klThreshold = config.getDouble("klThreshold", DEFAULT_KL_THRESHOLD);
        double smoothing = config.getDouble("smoothing", DEFAULT_SMOOTHING);
        try {
            Options options = new Options(delta, lambda, alpha, minInstances, warningFraction, detector, adwinDelta,
                    warningLevel, driftLevel, featureDrift, referenceRows, recentRows, bins, klThreshold, smoothing);
            options.refuseOptionsOfOthers(config);
            return options;
        } catch (InvalidOptionException e) {
            throw config.invalid(e);
        }
    }

    /** An option of a detector that is not selected would silently do nothing: refuse it, saying why. */
    private void refuseOptionsOfOthers(PluginConfig config) {
        refuse(config, PAGE_HINKLEY_ONLY, detector.equals(PAGE_HINKLEY), "detector: " + PAGE_HINKLEY);
        refuse(config, ADWIN_ONLY, detector.equals(ADWIN), "detector: " + ADWIN);
        refuse(config, DDM_ONLY, detector.equals(DDM), "detector: " + DDM);
        refuse(config, List.of("minInstances"), !detector.equals(ADWIN), "detector: " + PAGE_HINKLEY + " or " + DDM);
        refuse(config, List.of("warningFraction"), !detector.equals(DDM), "detector: " + PAGE_HINKLEY + " or " + ADWIN
                + " (ddm uses warningLevel)");
        refuse(config, FEATURE_DRIFT_ONLY, featureDrift, "featureDrift: true");
    }

    private void refuse(PluginConfig config, List<String> keys, boolean applies, String needs) {
        if (applies) {
            return;
        }
        for (String key : keys) {
            if (config.has(key)) {
                throw new InvalidOptionException(key, "only applies with " + needs + " (this expert has detector: " + detector
                        + (featureDrift ? "" : ", featureDrift: false") + "); remove it or change those");
            }
        }
    }
}
