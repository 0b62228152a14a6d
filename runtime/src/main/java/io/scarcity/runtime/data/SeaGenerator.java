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
 * The SEA concepts stream (Street and Kim, 2001): three features uniform in [0, 10], of which only the
 * first two matter; label 1 iff {@code f1 + f2 <= theta}, with theta 8, 9, 7 and 9.5 for concepts 0
 * to 3. A fraction {@code noise} of labels is flipped.
 */
public final class SeaGenerator implements RowSource {
    /** Thresholds of the four classic concepts. */
    private static final double[] THRESHOLDS = {8.0, 9.0, 7.0, 9.5};
    private static final DataSchema SCHEMA =
            new DataSchema(List.of("f1", "f2", "f3"), Task.CLASSIFICATION, List.of("0", "1"));

    /**
     * @param concept starting concept, 0 to 3
     * @param noise label-flip probability in [0, 0.5)
     * @param length number of rows, {@link Long#MAX_VALUE} for unbounded
     * @param drifts concept changes, in increasing and non-overlapping order
     * @param concepts the concept each drift changes to, one per drift
     */
    public record Options(int concept, double noise, long length, List<Drift> drifts, List<Integer> concepts) {
        public Options {
            checkConcept(concept);
            if (!(noise >= 0 && noise < 0.5)) {
                throw new IllegalArgumentException("noise must be in [0, 0.5), got " + noise);
            }
            if (length < 1) {
                throw new IllegalArgumentException("length must be >= 1, got " + length);
            }
            drifts = List.copyOf(Objects.requireNonNull(drifts, "drifts is null"));
            concepts = List.copyOf(Objects.requireNonNull(concepts, "concepts is null"));
            if (drifts.size() != concepts.size()) {
                throw new IllegalArgumentException(drifts.size() + " drifts but " + concepts.size() + " concepts");
            }
            concepts.forEach(Options::checkConcept);
        }

        /** Unbounded, no drift. */
        public static Options of(int concept, double noise) {
            return new Options(concept, noise, Long.MAX_VALUE, List.of(), List.of());
        }

        private static void checkConcept(int c) {
            if (c < 0 || c >= THRESHOLDS.length) {
                throw new IllegalArgumentException("SEA concept must be 0 to 3, got " + c);
            }
        }
    }

    private final Options options;
    private final Random rnd;
    private final DriftSchedule schedule;
    /** Threshold of each segment: the starting concept's, then each drift's. */
    private final double[] theta;
    /** Concept of each segment. */
    private final int[] segmentConcept;
    private final double noise;
    private final long length;
    private long index;
    private int lastConcept = -1;

    public SeaGenerator(Options options, long seed) {
        this.options = Objects.requireNonNull(options, "options is null");
        this.rnd = new Random(seed);
        this.schedule = new DriftSchedule(options.drifts());
        this.segmentConcept = new int[options.drifts().size() + 1];
        this.theta = new double[segmentConcept.length];
        segmentConcept[0] = options.concept();
        for (int i = 0; i < options.concepts().size(); i++) {
            segmentConcept[i + 1] = options.concepts().get(i);
        }
        for (int i = 0; i < theta.length; i++) {
            theta[i] = THRESHOLDS[segmentConcept[i]];
        }
        this.noise = options.noise();
        this.length = options.length();
    }

    /**
     * Reads {@code concept}, {@code noise}, {@code length} and {@code drifts} (each {@code at},
     * {@code width}, {@code concept}).
     */
    static SeaGenerator fromConfig(PluginConfig config, long seed) {
        Objects.requireNonNull(config, "config is null");
        int concept = readConcept(config, "concept", 0);
        double noise = StreamFactory.readNoise(config, 0.1);
        long length = StreamFactory.readLength(config);
        List<PluginConfig> items = config.sectionList("drifts");
        List<Drift> drifts = DriftSchedule.read(items, length);
        List<Integer> concepts = new ArrayList<>(items.size());
        int previous = concept;
        for (PluginConfig item : items) {
            // Defaulting to the next concept makes "drifts: [{at: 5000}]" do the obvious thing.
            int next = readConcept(item, "concept", (previous + 1) % THRESHOLDS.length);
            if (next == previous) {
                throw item.invalid("concept", "is " + next + ", the concept already in force, so the drift "
                        + "would change nothing; choose another concept (0 to 3)");
            }
            concepts.add(next);
            previous = next;
        }
        return new SeaGenerator(new Options(concept, noise, length, drifts, concepts), seed);
    }

    private static int readConcept(PluginConfig config, String key, int defaultValue) {
        int c = config.getInt(key, defaultValue);
        if (c < 0 || c >= THRESHOLDS.length) {
            throw config.invalid(key, "must be 0, 1, 2 or 3 (thresholds 8, 9, 7, 9.5), got " + c);
        }
        return c;
    }

    public Options options() {
        return options;
    }

    @Override
    public DataSchema schema() {
        return SCHEMA;
    }

    @Override
    public Optional<Row> next() {
        if (index >= length) {
            return Optional.empty();
        }
        int segment = schedule.segment(index, rnd);
        double f1 = 10.0 * rnd.nextDouble();
        double f2 = 10.0 * rnd.nextDouble();
        double f3 = 10.0 * rnd.nextDouble();
        boolean positive = f1 + f2 <= theta[segment];
        if (noise > 0 && rnd.nextDouble() < noise) {
            positive = !positive;
        }
        lastConcept = segmentConcept[segment];
        return Optional.of(new Row(index++, new double[] {f1, f2, f3}, positive ? 1 : 0, Double.NaN));
    }

    /** Concept (0 to 3) the last row came from; -1 before the first row. For tests and reports. */
    public int lastConcept() {
        return lastConcept;
    }

    @Override
    public List<Long> driftPositions() {
        return schedule.positions();
    }
}
