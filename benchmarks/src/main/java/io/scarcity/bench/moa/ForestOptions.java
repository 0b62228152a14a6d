package io.scarcity.bench.moa;

import io.scarcity.api.InvalidOptionException;
import io.scarcity.api.PluginConfig;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * Validated options of {@code moa-arf}; defaults are MOA's except {@code ensembleSize}.
 *
 * @param ensembleSize number of trees (MOA {@code -s}), >= 1. Default 10, where MOA's is 100: a
 *        100-tree forest learns about 1,500 rows/s on two cores, too slow to run one per client in a
 *        federation; 10 trees are about ten times faster
 * @param lambda the Poisson parameter of online bagging (MOA {@code -a}), >= 1
 * @param features how many features each split considers (MOA {@code -o} and {@code -m})
 * @param threads training threads per forest (MOA {@code -j}); 0 and 1 train in the calling thread,
 *        as MOA does by default
 * @param moaOptions further MOA options, verbatim; empty for none
 */
record ForestOptions(int ensembleSize, double lambda, Features features, int threads, String moaOptions)
        implements MoaOptions {
    static final int DEFAULT_ENSEMBLE_SIZE = 10;
    static final double DEFAULT_LAMBDA = 6.0;
    static final Features DEFAULT_FEATURES = Features.percent(60);
    static final int DEFAULT_THREADS = 0;

    /**
     * The features each split of a tree considers, out of M: a fixed number ({@code 2}), {@code sqrt}
     * (round(sqrt(M)) + 1) or a percentage ({@code 60%}: round(M * 60 / 100)). MOA clamps the result to
     * [1, M].
     */
    record Features(Mode mode, int m) {
        /** The modes, with the index of MOA's {@code -o} choice (its labels contain spaces and brackets). */
        enum Mode {
            /** {@code m} features: "Specified m (integer value)". */
            COUNT(0),
            /** round(sqrt(M)) + 1 features: "sqrt(M)+1". */
            SQRT(1),
            /** {@code m} percent of the features: "Percentage (M * (m / 100))". */
            PERCENT(3);

            private final int moaIndex;

            Mode(int moaIndex) {
                this.moaIndex = moaIndex;
            }

            int moaIndex() {
                return moaIndex;
            }
        }

        Features {
            Objects.requireNonNull(mode, "mode is null");
            if (mode == Mode.COUNT && m < 1) {
                throw new IllegalArgumentException("feature count must be >= 1, got " + m);
            }
            if (mode == Mode.PERCENT && (m < 1 || m > 100)) {
                throw new IllegalArgumentException("feature percentage must be 1 to 100, got " + m);
            }
            if (mode == Mode.SQRT) {
                m = 0;
            }
        }

        static Features count(int m) {
            return new Features(Mode.COUNT, m);
        }

        static Features sqrt() {
            return new Features(Mode.SQRT, 0);
        }

        static Features percent(int m) {
            return new Features(Mode.PERCENT, m);
        }

        /** Parses {@code 3}, {@code sqrt} or {@code 60%}. */
        static Features parse(String text) {
            String s = text.trim().toLowerCase(Locale.ROOT);
            String expected = "expected 'sqrt', a percentage such as '60%' or a whole number of features >= 1, got '"
                    + text + "'";
            try {
                if (s.equals("sqrt")) {
                    return sqrt();
                }
                if (s.endsWith("%")) {
                    return percent(Integer.parseInt(s.substring(0, s.length() - 1).trim()));
                }
                return count(Integer.parseInt(s));
            } catch (IllegalArgumentException e) {
                throw new InvalidOptionException("features", expected);
            }
        }

        String commandLine() {
            return "-o " + mode.moaIndex + (mode == Mode.SQRT ? "" : " -m " + m);
        }

        @Override
        public String toString() {
            return switch (mode) {
                case COUNT -> Integer.toString(m);
                case SQRT -> "sqrt";
                case PERCENT -> m + "%";
            };
        }
    }

    ForestOptions {
        if (ensembleSize < 1) {
            throw new InvalidOptionException("ensembleSize", "must be >= 1 tree, got " + ensembleSize);
        }
        if (!(lambda >= 1) || Double.isInfinite(lambda)) {
            throw new InvalidOptionException("lambda", "must be finite and >= 1 (MOA's minimum), got " + lambda);
        }
        Objects.requireNonNull(features, "features is null");
        if (threads < 0) {
            throw new InvalidOptionException("threads", "must be >= 0 (0: train in the calling thread), got " + threads);
        }
        moaOptions = Objects.requireNonNull(moaOptions, "moaOptions is null").trim();
    }

    static ForestOptions defaults() {
        return new ForestOptions(DEFAULT_ENSEMBLE_SIZE, DEFAULT_LAMBDA, DEFAULT_FEATURES, DEFAULT_THREADS, "");
    }

    /** Reads the options from a plugin's configuration; a bad value fails with the key's full path. */
    static ForestOptions from(PluginConfig config) {
        Objects.requireNonNull(config, "config is null");
        int ensembleSize = config.getInt("ensembleSize", DEFAULT_ENSEMBLE_SIZE);
        double lambda = config.getDouble("lambda", DEFAULT_LAMBDA);
        String features = config.getString("features", DEFAULT_FEATURES.toString());
        int threads = config.getInt("threads", DEFAULT_THREADS);
        String moaOptions = config.getString("moaOptions", "");
        try {
            return new ForestOptions(ensembleSize, lambda, Features.parse(features), threads, moaOptions);
        } catch (InvalidOptionException e) {
            throw config.invalid(e);
        }
    }

    @Override
    public String commandLine() {
        // MOA's -j default (1) and 0 both train in the calling thread
        return "-s " + ensembleSize + " -a " + lambda + " " + features.commandLine() + (threads > 1 ? " -j " + threads : "");
    }

    @Override
    public Map<Character, String> keysByLetter() {
        return Map.of('s', "ensembleSize", 'a', "lambda", 'o', "features", 'm', "features", 'j', "threads");
    }
}
