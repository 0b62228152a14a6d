package io.scarcity.runtime.data;

import io.scarcity.api.DataSchema;
import io.scarcity.api.PluginConfig;
import io.scarcity.api.Task;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/** Builds a domain's {@link Partitioner} from its {@code partition} section. */
public final class PartitionerFactory {
    static final List<String> TYPES = List.of("iid", "dirichlet");
    /**
     * Mixed into the seed so that a partitioner given the same seed as its source does not replay
     * the source's random numbers (which would tie a row's client to its features).
     */
    private static final long SALT = 0x9E3779B97F4A7C15L;

    private PartitionerFactory() {
    }

    /**
     * @param partition the {@code partition} section (may be empty: iid)
     * @param clients number of clients of the domain, >= 1
     * @param schema the stream's schema (dirichlet needs its classes)
     * @throws io.scarcity.api.ConfigException on a bad option
     */
    public static Partitioner create(PluginConfig partition, int clients, DataSchema schema, long seed) {
        Objects.requireNonNull(partition, "partition is null");
        Objects.requireNonNull(schema, "schema is null");
        if (clients < 1) {
            throw new IllegalArgumentException("clients must be >= 1, got " + clients);
        }
        String type = partition.getChoice("type", "iid", TYPES);
        long mixed = mix(seed);
        return switch (type) {
            case "iid" -> new IidPartitioner(clients, mixed);
            case "dirichlet" -> {
                if (schema.task() != Task.CLASSIFICATION) {
                    throw partition.invalid("type", "dirichlet splits rows by class and needs a classification"
                            + " stream, but this stream is " + schema.task().name().toLowerCase(Locale.ROOT)
                            + "; use type: iid");
                }
                double alpha = partition.getDouble("alpha", 0.5);
                if (!(alpha > 0)) {
                    throw partition.invalid("alpha", "must be > 0, got " + alpha
                            + " (small values such as 0.1 give strong label skew, large ones such as 100 almost none)");
                }
                yield new DirichletPartitioner(alpha, clients, schema.numClasses(), mixed);
            }
            default -> throw new AssertionError("unhandled partition type " + type);
        };
    }

    /** SplitMix64's finaliser: nearby seeds give unrelated streams. */
    static long mix(long seed) {
        long z = seed + SALT;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
