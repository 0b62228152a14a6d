package io.scarcity.runtime.data;

import io.scarcity.api.PluginConfig;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Builds a domain's {@link RowSource} from its {@code stream} section. Each type reads only the keys
 * it supports, so the caller's {@link PluginConfig#unreadKeys()} check reports the rest as typos.
 */
public final class StreamFactory {
    static final List<String> TYPES = List.of("sea", "hyperplane", "csv", "idx", "arff", "tasks");

    private StreamFactory() {
    }

    /**
     * @param stream the {@code stream} section; {@code type} chooses the source
     * @param seed seed of the source's random numbers (synthetic sources and task streams)
     * @param baseDir folder against which relative file paths are resolved
     * @throws io.scarcity.api.ConfigException on a bad or missing option
     * @throws DataException on a missing or malformed data file
     */
    public static RowSource create(PluginConfig stream, long seed, Path baseDir) {
        Objects.requireNonNull(stream, "stream is null");
        Objects.requireNonNull(baseDir, "baseDir is null");
        if (!stream.has("type")) {
            throw stream.invalid("type", "missing; choose one of " + String.join(", ", TYPES));
        }
        String type = stream.getChoice("type", null, TYPES);
        return switch (type) {
            case "sea" -> generated(stream, SeaGenerator.fromConfig(stream, seed));
            case "hyperplane" -> generated(stream, HyperplaneGenerator.fromConfig(stream, seed));
            case "csv" -> CsvSource.fromConfig(stream, baseDir);
            case "idx" -> IdxSource.fromConfig(stream, baseDir);
            case "arff" -> ArffSource.fromConfig(stream, baseDir);
            case "tasks" -> TaskSequence.fromConfig(stream, seed, baseDir);
            default -> throw new AssertionError("unhandled stream type " + type);
        };
    }

    /**
     * A generator's stream as its {@code task} says: {@code classification} (the default) with its labels, or
     * {@code unlabelled} without them (an unlabelled stream to try the experts that learn without labels on).
     */
    private static RowSource generated(PluginConfig stream, RowSource generator) {
        String task = stream.getChoice("task", "classification", List.of("classification", "unlabelled"));
        return task.equals("unlabelled") ? new UnlabelledSource(generator) : generator;
    }

    /**
     * Optional {@code length}: absent means unbounded ({@link Long#MAX_VALUE}); a present value
     * must be at least 1, since a zero-row stream is always a mistake.
     */
    static long readLength(PluginConfig config) {
        if (!config.has("length")) {
            return Long.MAX_VALUE;
        }
        long length = config.getLong("length", 0);
        if (length < 1) {
            throw config.invalid("length", "must be >= 1 row, got " + length
                    + "; leave length out for an unbounded stream");
        }
        return length;
    }

    /** Checks that a list option names each value once. */
    static void checkDistinct(PluginConfig config, String key, List<String> values) {
        Set<String> seen = new HashSet<>();
        for (String v : values) {
            if (!seen.add(v)) {
                throw config.invalid(key, "lists '" + v + "' twice");
            }
        }
    }

    /** {@code noise}, a label-flip probability in [0, 0.5): at 0.5 labels would be pure chance. */
    static double readNoise(PluginConfig config, double defaultValue) {
        double noise = config.getDouble("noise", defaultValue);
        if (!(noise >= 0 && noise < 0.5)) {
            throw config.invalid("noise", "is a label-flip probability and must be >= 0 and < 0.5, got "
                    + noise + " (at 0.5 the labels carry no information)");
        }
        return noise;
    }
}
