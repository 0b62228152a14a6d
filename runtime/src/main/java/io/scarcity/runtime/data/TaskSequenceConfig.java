package io.scarcity.runtime.data;

import io.scarcity.api.PluginConfig;
import io.scarcity.api.Task;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Reads a {@code type: tasks} stream section into a {@link TaskSequence}: the transform and its keys,
 * the schedule, the base and test streams (read whole), every key asked for before any data is read so
 * that a typo is reported as unknown rather than ignored.
 */
final class TaskSequenceConfig {
    private TaskSequenceConfig() {
    }

    /** The task sequence a stream section describes; relative paths resolve against {@code baseDir}. */
    static TaskSequence read(PluginConfig config, long seed, Path baseDir) {
        Objects.requireNonNull(config, "config is null");
        TaskSequence.Transform transform;
        if (!config.has("transform")) {
            config.getString("transform", null);
            throw config.invalid("transform", "missing; choose permuted, rotated, split or none");
        }
        transform = config.getEnum("transform", TaskSequence.Transform.NONE);
        int tasks = config.getInt("tasks", 5);
        if (tasks < 1) {
            throw config.invalid("tasks", "must be >= 1, got " + tasks);
        }
        if (!config.has("rowsPerTask")) {
            config.getLong("rowsPerTask", 0);
            throw config.invalid("rowsPerTask", "missing; set the number of rows of each task's segment");
        }
        long rowsPerTask = config.getLong("rowsPerTask", 0);
        if (rowsPerTask < 1) {
            throw config.invalid("rowsPerTask", "must be >= 1, got " + rowsPerTask);
        }
        int testRows = config.getInt("testRowsPerTask", 1000);
        if (testRows < 1) {
            throw config.invalid("testRowsPerTask", "must be >= 1, got " + testRows);
        }
        List<Integer> schedule = readSchedule(config, tasks);
        boolean rotated = transform == TaskSequence.Transform.ROTATED;
        boolean split = transform == TaskSequence.Transform.SPLIT;
        // Ask for every key before reading data, so that a typo is reported as unknown, not ignored.
        double angle = rotated ? config.getDouble("angle", 180.0 / tasks) : 0;
        int width = rotated ? config.getInt("width", 0) : 0;
        int height = rotated ? config.getInt("height", 0) : 0;
        int classesPerTask = split ? config.getInt("classesPerTask", 0) : 0;
        if (rotated && config.has("width") && width < 1) {
            throw config.invalid("width", "must be >= 1, got " + width);
        }
        if (rotated && config.has("height") && height < 1) {
            throw config.invalid("height", "must be >= 1, got " + height);
        }
        if (split && config.has("classesPerTask") && classesPerTask < 1) {
            throw config.invalid("classesPerTask", "must be >= 1, got " + classesPerTask);
        }
        if (!config.has("base")) {
            config.section("base");
            throw config.invalid("base", "missing; set it to the stream the tasks are made from, e.g. {type: idx,"
                    + " images: ..., labels: ...}");
        }
        PluginConfig baseConfig = config.section("base");
        PluginConfig testConfig = config.has("test") ? config.section("test") : null;
        if (testConfig == null) {
            config.section("test");
        }
        RowSource baseSource = openBase(baseConfig, baseDir);
        int features = baseSource.schema().numFeatures();
        int numClasses = baseSource.schema().numClasses();
        if (rotated) {
            int[] wh = imageSize(config, baseSource, width, height, features);
            width = wh[0];
            height = wh[1];
        }
        if (split) {
            if (!config.has("classesPerTask")) {
                classesPerTask = numClasses / tasks;
                if (classesPerTask < 1) {
                    baseSource.close();
                    throw config.invalid("tasks", tasks + " tasks cannot split the base's " + numClasses
                            + " classes; use at most " + numClasses + " tasks");
                }
            } else if ((long) classesPerTask * tasks > numClasses) {
                baseSource.close();
                throw config.invalid("classesPerTask", tasks + " tasks x " + classesPerTask + " classes need "
                        + (long) classesPerTask * tasks + " classes, but the base has " + numClasses + ": "
                        + TaskSequence.schemaClasses(baseSource.schema()));
            }
        }
        Table baseTable;
        long quarantined;
        List<String> samples = new ArrayList<>();
        try {
            baseTable = Table.drain(baseSource);
            quarantined = baseSource.quarantined();
            samples.addAll(baseSource.quarantineSamples());
        } finally {
            baseSource.close();
        }
        Table testTable = null;
        if (testConfig != null) {
            RowSource testSource = openBase(testConfig, baseDir);
            try {
                testTable = Table.drain(testSource);
                quarantined += testSource.quarantined();
                samples.addAll(testSource.quarantineSamples());
            } finally {
                testSource.close();
            }
        }
        TaskSequence.Options options = new TaskSequence.Options(transform, tasks, rowsPerTask, testRows, schedule, angle, width, height,
                classesPerTask);
        return new TaskSequence(baseTable, testTable, options, seed, quarantined,
                samples.subList(0, Math.min(samples.size(), RowQuarantine.MAX_SAMPLES)));
    }

    private static List<Integer> readSchedule(PluginConfig config, int tasks) {
        double[] raw = config.getDoubleArray("schedule", null);
        if (raw == null) {
            return TaskSequence.Options.defaultSchedule(tasks);
        }
        if (raw.length == 0) {
            throw config.invalid("schedule", "is empty; list task ids, e.g. [0, 1, 2, 0], or leave it out for 0.."
                    + (tasks - 1));
        }
        List<Integer> out = new ArrayList<>(raw.length);
        for (double d : raw) {
            if (d != Math.rint(d) || d < 0 || d >= tasks) {
                throw config.invalid("schedule", "names task " + (d == Math.rint(d) ? String.valueOf((long) d)
                        : String.valueOf(d)) + ", but task ids are 0 to " + (tasks - 1) + " (tasks: " + tasks + ")");
            }
            out.add((int) d);
        }
        return out;
    }

    private static int[] imageSize(PluginConfig config, RowSource base, int width, int height, int features) {
        if (width == 0 && height == 0) {
            if (base instanceof IdxSource idx) {
                return new int[] {idx.columns(), idx.rows()};
            }
            int side = (int) Math.round(Math.sqrt(features));
            if (side * side != features) {
                base.close();
                throw config.invalid("width", "missing; rotation needs the image size, and the base's " + features
                        + " features are not a square image: set width and height");
            }
            return new int[] {side, side};
        }
        if (width == 0) {
            width = features / height;
        } else if (height == 0) {
            height = features / width;
        }
        if ((long) width * height != features) {
            base.close();
            throw config.invalid(config.has("width") ? "width" : "height", "width x height = " + width + " x " + height
                    + " = " + (long) width * height + " pixels, but the base has " + features + " features");
        }
        return new int[] {width, height};
    }

    /** Opens a nested base or test stream: idx, csv or arff, classification. */
    private static RowSource openBase(PluginConfig config, Path baseDir) {
        if (!config.has("type")) {
            throw config.invalid("type", "missing; a task stream's base is one of " + String.join(", ", TaskSequence.BASE_TYPES));
        }
        String type = config.getChoice("type", null, TaskSequence.BASE_TYPES);
        RowSource source = switch (type) {
            case "idx" -> IdxSource.fromConfig(config, baseDir);
            case "csv" -> CsvSource.fromConfig(config, baseDir);
            case "arff" -> ArffSource.fromConfig(config, baseDir);
            default -> throw new AssertionError("unhandled base type " + type);
        };
        if (source.schema().task() == Task.UNLABELLED) {
            source.close();
            // the key that would give the base its labels: an idx labels file, a csv label column, an arff task
            String key = switch (type) {
                case "idx" -> "labels";
                case "csv" -> "label";
                default -> "task";
            };
            throw config.invalid(key, "the base has no labels, but task streams split a stream by its classes; "
                    + (type.equals("arff") ? "set task: classification" : "set " + key));
        }
        if (source.schema().task() != Task.CLASSIFICATION) {
            source.close();
            throw config.invalid("task", "is regression, but task streams split a stream by its classes and need a"
                    + " classification base");
        }
        return source;
    }
}
