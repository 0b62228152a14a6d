package io.scarcity.runtime.data;

import io.scarcity.api.DataSchema;
import io.scarcity.api.PluginConfig;
import io.scarcity.api.Task;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Random;

/**
 * Rotating hyperplane (Hulten et al., 2001, as in MOA): x uniform in [0, 1]^d, label 1 iff
 * {@code sum w_i x_i >= 0.5 * sum w_i}, which puts the boundary through the cube's centre so the
 * classes stay balanced whatever w is. Drift comes two ways: continuous rotation (each row every
 * weight moves by {@code magnitude * direction_i}, and every 1000 rows each direction reverses with
 * probability {@code reversal}), and listed drifts that replace w by a fresh random vector.
 */
public final class HyperplaneGenerator implements RowSource {
    /** Rows between chances to reverse a weight's direction of rotation. */
    static final int REVERSAL_PERIOD = 1000;

    /**
     * @param features dimension d, at least 2
     * @param noise label-flip probability in [0, 0.5)
     * @param magnitude per-row change of each weight; 0 for no continuous drift
     * @param reversal probability, every 1000 rows, that a weight's direction reverses
     * @param length number of rows, {@link Long#MAX_VALUE} for unbounded
     * @param drifts weight replacements, in increasing and non-overlapping order
     */
    public record Options(int features, double noise, double magnitude, double reversal, long length,
            List<Drift> drifts) {
        public Options {
            if (features < 2) {
                throw new IllegalArgumentException("features must be >= 2, got " + features);
            }
            if (!(noise >= 0 && noise < 0.5)) {
                throw new IllegalArgumentException("noise must be in [0, 0.5), got " + noise);
            }
            if (!(magnitude >= 0 && Double.isFinite(magnitude))) {
                throw new IllegalArgumentException("magnitude must be finite and >= 0, got " + magnitude);
            }
            if (!(reversal >= 0 && reversal <= 1)) {
                throw new IllegalArgumentException("reversal must be in [0, 1], got " + reversal);
            }
            if (length < 1) {
                throw new IllegalArgumentException("length must be >= 1, got " + length);
            }
            drifts = List.copyOf(Objects.requireNonNull(drifts, "drifts is null"));
        }

        /** Unbounded, no drift. */
        public static Options of(int features, double noise) {
            return new Options(features, noise, 0, 0.1, Long.MAX_VALUE, List.of());
        }
    }

    private final Options options;
    private final DataSchema schema;
    private final Random rnd;
    private final DriftSchedule schedule;
    /** Weights of each segment, drawn up front so that a drift's vector does not depend on timing. */
    private final double[][] weights;
    private final double[] direction;
    private final int d;
    private final double noise;
    private final double magnitude;
    private final double reversal;
    private final long length;
    private long index;

    public HyperplaneGenerator(Options options, long seed) {
        this.options = Objects.requireNonNull(options, "options is null");
        this.d = options.features();
        List<String> names = new ArrayList<>(d);
        for (int i = 1; i <= d; i++) {
            names.add("x" + i);
        }
        this.schema = new DataSchema(names, Task.CLASSIFICATION, List.of("0", "1"));
        this.rnd = new Random(seed);
        this.schedule = new DriftSchedule(options.drifts());
        this.weights = new double[options.drifts().size() + 1][d];
        for (double[] w : weights) {
            for (int i = 0; i < d; i++) {
                w[i] = rnd.nextDouble();
            }
        }
        this.direction = new double[d];
        for (int i = 0; i < d; i++) {
            direction[i] = rnd.nextBoolean() ? 1.0 : -1.0;
        }
        this.noise = options.noise();
        this.magnitude = options.magnitude();
        this.reversal = options.reversal();
        this.length = options.length();
    }

    /**
     * Reads {@code features}, {@code noise}, {@code magnitude}, {@code reversal}, {@code length} and
     * {@code drifts} (each {@code at}, {@code width}).
     */
    static HyperplaneGenerator fromConfig(PluginConfig config, long seed) {
        Objects.requireNonNull(config, "config is null");
        int features = config.getInt("features", 10, 2);
        double noise = StreamFactory.readNoise(config, 0.05);
        double magnitude = config.getDouble("magnitude", 0.0);
        if (magnitude < 0) {
            throw config.invalid("magnitude", "must be >= 0 (0 = no continuous drift), got " + magnitude);
        }
        double reversal = config.getDouble("reversal", 0.1, 0.0, 1.0);
        long length = StreamFactory.readLength(config);
        List<Drift> drifts = DriftSchedule.read(config.sectionList("drifts"), length);
        return new HyperplaneGenerator(new Options(features, noise, magnitude, reversal, length, drifts), seed);
    }

    public Options options() {
        return options;
    }

    @Override
    public DataSchema schema() {
        return schema;
    }

    @Override
    public Optional<Row> next() {
        if (index >= length) {
            return Optional.empty();
        }
        double[] w = weights[schedule.segment(index, rnd)];
        double[] x = new double[d];
        double dot = 0;
        double sum = 0;
        for (int i = 0; i < d; i++) {
            double xi = rnd.nextDouble();
            x[i] = xi;
            dot += w[i] * xi;
            sum += w[i];
        }
        boolean positive = dot >= 0.5 * sum;
        if (noise > 0 && rnd.nextDouble() < noise) {
            positive = !positive;
        }
        Row row = new Row(index++, x, positive ? 1 : 0, Double.NaN);
        if (magnitude > 0) {
            rotate();
        }
        return Optional.of(row);
    }

    private void rotate() {
        if (index % REVERSAL_PERIOD == 0 && reversal > 0) {
            for (int i = 0; i < d; i++) {
                if (rnd.nextDouble() < reversal) {
                    direction[i] = -direction[i];
                }
            }
        }
        // Only the concept in force and the one coming next can be seen; rotating the rest would
        // cost O(drifts) per row for nothing.
        int current = schedule.completed();
        int last = Math.min(current + 1, weights.length - 1);
        for (int s = current; s <= last; s++) {
            double[] w = weights[s];
            for (int i = 0; i < d; i++) {
                w[i] += magnitude * direction[i];
            }
        }
    }

    /** A copy of the weights in force (the old concept's, inside a gradual drift window). */
    public double[] currentWeights() {
        return weights[schedule.completed()].clone();
    }

    @Override
    public List<Long> driftPositions() {
        return schedule.positions();
    }
}
