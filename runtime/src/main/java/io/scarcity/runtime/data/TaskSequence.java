package io.scarcity.runtime.data;

import io.scarcity.api.DataSchema;
import io.scarcity.api.PluginConfig;
import io.scarcity.api.Task;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Random;
import java.util.Set;

/**
 * A continual-learning stream ({@code type: tasks}) built from a classification data set held in
 * memory (the {@code base} stream, of type idx, csv or arff): a sequence of segments of
 * {@code rowsPerTask} rows, each drawn from one task, with held-out test rows per task.
 *
 * <ul>
 *   <li>{@code permuted}: task t applies a fixed random permutation of the features (pixels), drawn
 *       from the seed; <b>task 0 is the identity</b> (the original images).
 *   <li>{@code rotated}: task t rotates each image about its centre by {@code t * angle} degrees
 *       (counter-clockwise as displayed, rows top to bottom), with bilinear interpolation and
 *       background 0; task 0 is unrotated. Features must be the pixels of a {@code width x height}
 *       image, row by row.
 *   <li>{@code split} (class-incremental): task t holds only the classes
 *       {@code [t * classesPerTask, (t + 1) * classesPerTask)}; the schema keeps all classes.
 *   <li>{@code none}: every task is the base data unchanged (for recurring schedules of one concept).
 * </ul>
 *
 * <p><b>Held-out tests.</b> The last {@code testRowsPerTask * tasks} rows of the base (or the first
 * that many of the {@code test} stream, if given) are never trained on. Task t's test rows are that
 * pool's slice {@code [t * N, (t + 1) * N)} with task t's transformation; for {@code split}, the pool's
 * rows of task t's classes instead (at most N; about N when classes are balanced).
 *
 * <p><b>Training rows.</b> Each task has its own seeded shuffle of the training part (for
 * {@code split}, of the training rows of its classes). A segment of task t takes the next rows of that
 * order, continuing where the task's previous segment stopped and starting over when it runs out; so a
 * task that recurs in the {@code schedule} sees new rows where there are any.
 *
 * <p>The stream has {@code rowsPerTask * schedule.size()} rows; {@link #driftPositions()} are the
 * segment starts where the task changes. Everything is determined by the seed.
 */
public final class TaskSequence implements TaskStream {
    /** How tasks differ. */
    public enum Transform { PERMUTED, ROTATED, SPLIT, NONE }

    static final List<String> BASE_TYPES = List.of("idx", "csv", "arff");

    /**
     * @param transform how tasks differ
     * @param tasks number of distinct tasks, >= 1
     * @param rowsPerTask rows of each segment, >= 1
     * @param testRowsPerTask held-out rows per task, >= 1
     * @param schedule task of each segment, in stream order
     * @param angle degrees between consecutive rotated tasks
     * @param width image width, for rotation (0 if unused)
     * @param height image height, for rotation (0 if unused)
     * @param classesPerTask classes of each task, for split (0 if unused)
     */
    public record Options(Transform transform, int tasks, long rowsPerTask, int testRowsPerTask, List<Integer> schedule,
            double angle, int width, int height, int classesPerTask) {
        public Options {
            Objects.requireNonNull(transform, "transform is null");
            if (tasks < 1) {
                throw new IllegalArgumentException("tasks must be >= 1, got " + tasks);
            }
            if (rowsPerTask < 1) {
                throw new IllegalArgumentException("rowsPerTask must be >= 1, got " + rowsPerTask);
            }
            if (testRowsPerTask < 1) {
                throw new IllegalArgumentException("testRowsPerTask must be >= 1, got " + testRowsPerTask);
            }
            schedule = List.copyOf(Objects.requireNonNull(schedule, "schedule is null"));
            if (schedule.isEmpty()) {
                throw new IllegalArgumentException("the schedule is empty");
            }
            for (int t : schedule) {
                if (t < 0 || t >= tasks) {
                    throw new IllegalArgumentException("schedule names task " + t + ", outside 0.." + (tasks - 1));
                }
            }
            if (rowsPerTask > Long.MAX_VALUE / schedule.size()) {
                throw new IllegalArgumentException("rowsPerTask x schedule length overflows");
            }
            if (transform == Transform.ROTATED && (width < 1 || height < 1 || !Double.isFinite(angle))) {
                throw new IllegalArgumentException("rotation needs width, height >= 1 and a finite angle");
            }
            if (transform == Transform.SPLIT && classesPerTask < 1) {
                throw new IllegalArgumentException("classesPerTask must be >= 1, got " + classesPerTask);
            }
        }

        /** Schedule 0, 1, ..., tasks-1. */
        static List<Integer> defaultSchedule(int tasks) {
            List<Integer> out = new ArrayList<>(tasks);
            for (int t = 0; t < tasks; t++) {
                out.add(t);
            }
            return out;
        }
    }

    private final Options options;
    private final DataSchema schema;
    private final Table base;
    private final Table testTable;
    /** First row of the test pool in {@link #testTable}. */
    private final int testOffset;
    private final int trainCount;
    private final List<Segment> segments;
    private final List<Long> drifts;
    private final long length;
    /** Per task: rows of the base to draw from, in shuffled order. */
    private final int[][] order;
    private final long[] cursor;
    /** Per task, for permuted: output feature j takes input feature perm[t][j]. */
    private final int[][] permutation;
    /** Per task, for rotated: for each output pixel, up to 4 source pixels (-1: none) and their weights. */
    private final int[][] rotationSource;
    private final double[][] rotationWeight;
    private final List<Row>[] tests;
    private final double[] scratch;
    private final long quarantined;
    private final List<String> quarantineSamples;
    private long position;
    private int segment;

    /**
     * @param base the training data (and, without {@code test}, the test pool at its end)
     * @param test the test pool, or null to hold out the end of {@code base}
     * @throws DataException if the data are too small for the options, or base and test differ in schema
     */
    TaskSequence(Table base, Table test, Options options, long seed) {
        this(base, test, options, seed, 0, List.of());
    }

    @SuppressWarnings("unchecked")
    TaskSequence(Table base, Table test, Options options, long seed, long quarantined, List<String> samples) {
        this.base = Objects.requireNonNull(base, "base is null");
        this.options = Objects.requireNonNull(options, "options is null");
        this.schema = base.schema();
        this.quarantined = quarantined;
        this.quarantineSamples = List.copyOf(samples);
        if (schema.task() != Task.CLASSIFICATION) {
            throw new IllegalArgumentException("a task stream needs a classification base");
        }
        int tasks = options.tasks();
        int n = options.testRowsPerTask();
        long pool = (long) n * tasks;
        if (test == null) {
            if (pool >= base.size()) {
                throw new DataException("the base stream has " + base.size() + " rows, and holding out testRowsPerTask x"
                        + " tasks = " + n + " x " + tasks + " = " + pool + " for tests leaves " + Math.max(0,
                                base.size() - pool) + " to train on; lower testRowsPerTask, or give a separate test"
                        + " stream");
            }
            this.testTable = base;
            this.trainCount = (int) (base.size() - pool);
            this.testOffset = trainCount;
        } else {
            if (!test.schema().equals(schema)) {
                throw new DataException("the test stream's schema differs from the base's: features "
                        + describe(test.schema()) + " vs " + describe(schema) + "; both must have the same features"
                        + " and classes (list the classes explicitly if one file lacks some)");
            }
            if (pool > test.size()) {
                throw new DataException("the test stream has " + test.size() + " rows, fewer than testRowsPerTask x"
                        + " tasks = " + n + " x " + tasks + " = " + pool + "; lower testRowsPerTask");
            }
            this.testTable = test;
            this.trainCount = base.size();
            this.testOffset = 0;
        }
        int features = schema.numFeatures();
        this.scratch = new double[features];
        if (options.transform() == Transform.ROTATED && (long) options.width() * options.height() != features) {
            throw new IllegalArgumentException("width x height = " + options.width() + " x " + options.height()
                    + " is not the " + features + " features");
        }
        if (options.transform() == Transform.SPLIT && (long) options.classesPerTask() * tasks > schema.numClasses()) {
            throw new IllegalArgumentException(tasks + " tasks of " + options.classesPerTask() + " classes need more than"
                    + " the " + schema.numClasses() + " classes");
        }
        // Segments.
        List<Segment> segs = new ArrayList<>();
        List<Long> changes = new ArrayList<>();
        long start = 0;
        for (int t : options.schedule()) {
            if (!segs.isEmpty() && segs.get(segs.size() - 1).task() != t) {
                changes.add(start);
            }
            segs.add(new Segment(start, start + options.rowsPerTask(), t));
            start += options.rowsPerTask();
        }
        this.segments = List.copyOf(segs);
        this.drifts = List.copyOf(changes);
        this.length = start;
        // Training orders.
        this.order = new int[tasks][];
        this.cursor = new long[tasks];
        for (int t = 0; t < tasks; t++) {
            int[] rows;
            if (options.transform() == Transform.SPLIT) {
                int lo = t * options.classesPerTask();
                int hi = lo + options.classesPerTask();
                int count = 0;
                for (int i = 0; i < trainCount; i++) {
                    int c = base.label(i);
                    if (c >= lo && c < hi) {
                        count++;
                    }
                }
                if (count == 0) {
                    throw new DataException("task " + t + " (classes " + classNames(lo, hi) + ") has no training rows"
                            + " in the base stream");
                }
                rows = new int[count];
                count = 0;
                for (int i = 0; i < trainCount; i++) {
                    int c = base.label(i);
                    if (c >= lo && c < hi) {
                        rows[count++] = i;
                    }
                }
            } else {
                rows = new int[trainCount];
                for (int i = 0; i < trainCount; i++) {
                    rows[i] = i;
                }
            }
            shuffle(rows, new Random(derive(seed, 1_000 + t)));
            order[t] = rows;
        }
        // Transformations.
        this.permutation = new int[tasks][];
        this.rotationSource = new int[tasks][];
        this.rotationWeight = new double[tasks][];
        if (options.transform() == Transform.PERMUTED) {
            for (int t = 0; t < tasks; t++) {
                int[] p = new int[features];
                for (int j = 0; j < features; j++) {
                    p[j] = j;
                }
                if (t > 0) {
                    shuffle(p, new Random(derive(seed, 2_000 + t)));
                }
                permutation[t] = p;
            }
        } else if (options.transform() == Transform.ROTATED) {
            for (int t = 0; t < tasks; t++) {
                rotation(t, options.width(), options.height(), t * options.angle());
            }
        }
        this.tests = new List[tasks];
    }

    /**
     * Reads {@code base} (a nested stream section), {@code test}, {@code transform}, {@code tasks},
     * {@code rowsPerTask}, {@code testRowsPerTask}, {@code schedule}, {@code angle}, {@code width},
     * {@code height} and {@code classesPerTask} (see {@link TaskSequenceConfig}).
     */
    static TaskSequence fromConfig(PluginConfig config, long seed, Path baseDir) {
        return TaskSequenceConfig.read(config, seed, baseDir);
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
        if (position >= length) {
            return Optional.empty();
        }
        while (position >= segments.get(segment).end()) {
            segment++;
        }
        int t = segments.get(segment).task();
        int[] rows = order[t];
        int i = rows[(int) (cursor[t]++ % rows.length)];
        base.features(i, scratch);
        double[] x = transform(t, scratch);
        return Optional.of(new Row(position++, x, base.label(i), Double.NaN, base.group(i)));
    }

    @Override
    public int taskCount() {
        return options.tasks();
    }

    @Override
    public List<Segment> schedule() {
        return segments;
    }

    @Override
    public List<Row> testRows(int task) {
        if (task < 0 || task >= options.tasks()) {
            throw new IllegalArgumentException("task " + task + " is outside 0.." + (options.tasks() - 1));
        }
        if (tests[task] == null) {
            tests[task] = buildTests(task);
        }
        return tests[task];
    }

    /** Segment starts where the task changes. */
    @Override
    public List<Long> driftPositions() {
        return drifts;
    }

    @Override
    public long quarantined() {
        return quarantined;
    }

    @Override
    public List<String> quarantineSamples() {
        return quarantineSamples;
    }

    /** The distinct groups of the training rows, if the base has an id column. */
    @Override
    public Optional<List<String>> groups() {
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < trainCount; i++) {
            String g = base.group(i);
            if (g != null) {
                seen.add(g);
            }
        }
        return seen.isEmpty() ? Optional.empty() : Optional.of(TableStream.sortedNaturally(seen));
    }

    /** Rows the stream emits: {@code rowsPerTask * schedule().size()}. */
    public long length() {
        return length;
    }

    /** Rows of the base available for training. */
    public int trainingRows() {
        return trainCount;
    }

    private List<Row> buildTests(int task) {
        int n = options.testRowsPerTask();
        int poolStart = testOffset;
        int poolSize = n * options.tasks();
        double[] in = new double[schema.numFeatures()];
        List<Row> out = new ArrayList<>(n);
        if (options.transform() == Transform.SPLIT) {
            int lo = task * options.classesPerTask();
            int hi = lo + options.classesPerTask();
            for (int i = poolStart; i < poolStart + poolSize && out.size() < n; i++) {
                int c = testTable.label(i);
                if (c >= lo && c < hi) {
                    testTable.features(i, in);
                    out.add(new Row(out.size(), transform(task, in), c, Double.NaN, testTable.group(i)));
                }
            }
            if (out.isEmpty()) {
                throw new DataException("task " + task + " (classes " + classNames(lo, hi) + ") has no test rows among"
                        + " the " + poolSize + " held-out rows; raise testRowsPerTask or give a test stream with those"
                        + " classes");
            }
        } else {
            for (int k = 0; k < n; k++) {
                int i = poolStart + task * n + k;
                testTable.features(i, in);
                out.add(new Row(k, transform(task, in), testTable.label(i), Double.NaN, testTable.group(i)));
            }
        }
        return List.copyOf(out);
    }

    /** Task {@code t}'s version of features {@code in}, as a new array. */
    private double[] transform(int t, double[] in) {
        double[] x = new double[in.length];
        switch (options.transform()) {
            case PERMUTED -> {
                int[] p = permutation[t];
                for (int j = 0; j < x.length; j++) {
                    x[j] = in[p[j]];
                }
            }
            case ROTATED -> {
                int[] src = rotationSource[t];
                double[] w = rotationWeight[t];
                for (int j = 0; j < x.length; j++) {
                    double v = 0;
                    for (int k = 4 * j; k < 4 * j + 4; k++) {
                        if (src[k] >= 0) {
                            v += w[k] * in[src[k]];
                        }
                    }
                    x[j] = v;
                }
            }
            default -> System.arraycopy(in, 0, x, 0, x.length);
        }
        return x;
    }

    /**
     * Precomputes task t's rotation by {@code degrees}: each output pixel samples the input at the point
     * that the rotation maps onto it, bilinearly; points outside the image read 0.
     */
    private void rotation(int t, int width, int height, double degrees) {
        int pixels = width * height;
        int[] src = new int[4 * pixels];
        double[] w = new double[4 * pixels];
        java.util.Arrays.fill(src, -1);
        double theta = Math.toRadians(degrees);
        double cos = snap(Math.cos(theta));
        double sin = snap(Math.sin(theta));
        double cx = (width - 1) / 2.0;
        double cy = (height - 1) / 2.0;
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                double dx = x - cx;
                double dy = y - cy;
                // Inverse rotation of the output point. With rows growing downwards, this turns the image
                // counter-clockwise as displayed by theta.
                double sx = snap(cos * dx - sin * dy + cx);
                double sy = snap(sin * dx + cos * dy + cy);
                int x0 = (int) Math.floor(sx);
                int y0 = (int) Math.floor(sy);
                double fx = sx - x0;
                double fy = sy - y0;
                int j = 4 * (y * width + x);
                int[] xs = {x0, x0 + 1, x0, x0 + 1};
                int[] ys = {y0, y0, y0 + 1, y0 + 1};
                double[] ws = {(1 - fx) * (1 - fy), fx * (1 - fy), (1 - fx) * fy, fx * fy};
                for (int k = 0; k < 4; k++) {
                    if (ws[k] > 0 && xs[k] >= 0 && xs[k] < width && ys[k] >= 0 && ys[k] < height) {
                        src[j + k] = ys[k] * width + xs[k];
                        w[j + k] = ws[k];
                    }
                }
            }
        }
        rotationSource[t] = src;
        rotationWeight[t] = w;
    }

    /** Rounds values within 1e-9 of an integer to it, so that multiples of 90 degrees move pixels exactly. */
    private static double snap(double v) {
        double r = Math.rint(v);
        return Math.abs(v - r) < 1e-9 ? r : v;
    }

    private String classNames(int lo, int hi) {
        return schema.classNames().subList(lo, Math.min(hi, schema.numClasses())).toString();
    }

    private static String describe(DataSchema s) {
        return s.numFeatures() + " features, classes " + TableStream.shownList(s.classNames());
    }

    static String schemaClasses(DataSchema s) {
        return TableStream.shownList(s.classNames());
    }

    private static void shuffle(int[] a, Random rnd) {
        for (int i = a.length - 1; i > 0; i--) {
            int j = rnd.nextInt(i + 1);
            int tmp = a[i];
            a[i] = a[j];
            a[j] = tmp;
        }
    }

    /** A seed for one use (salt) of the stream's seed; SplitMix64's finaliser. */
    static long derive(long seed, long salt) {
        long z = seed + salt * 0x9E3779B97F4A7C15L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
