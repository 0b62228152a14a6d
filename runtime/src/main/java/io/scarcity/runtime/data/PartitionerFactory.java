package io.scarcity.runtime.data;

import io.scarcity.api.DataSchema;
import io.scarcity.api.PluginConfig;
import io.scarcity.api.Task;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * Builds a domain's {@link Partitioner} from its {@code partition} section: {@code iid} (default),
 * {@code dirichlet} (label skew, {@code alpha} 0.5), {@code quantity} (quantity skew, {@code alpha} 0.5)
 * or {@code natural} (one client per value of the stream's id column).
 */
public final class PartitionerFactory {
    static final List<String> TYPES = List.of("iid", "dirichlet", "quantity", "natural");
    /**
     * Mixed into the seed so that a partitioner given the same seed as its source does not replay
     * the source's random numbers (which would tie a row's client to its features).
     */
    private static final long SALT = 0x9E3779B97F4A7C15L;

    private PartitionerFactory() {
    }

    /**
     * For every type but {@code natural}, which needs the source: use
     * {@link #create(PluginConfig, int, RowSource, long)}.
     *
     * @param partition the {@code partition} section (may be empty: iid)
     * @param clients number of clients of the domain, >= 1
     * @param schema the stream's schema (dirichlet needs its classes)
     * @throws io.scarcity.api.ConfigException on a bad option
     * @throws IllegalArgumentException for {@code natural}
     */
    public static Partitioner create(PluginConfig partition, int clients, DataSchema schema, long seed) {
        Objects.requireNonNull(schema, "schema is null");
        return create(partition, clients, schema, null, seed);
    }

    /**
     * @param partition the {@code partition} section (may be empty: iid)
     * @param clients number of clients of the domain, >= 1
     * @param source the domain's stream, before its first row ({@code natural} reads its
     *     {@link RowSource#groups()}, which may scan the file once)
     * @throws io.scarcity.api.ConfigException on a bad option, or {@code natural} for a source without
     *     an id column
     * @throws DataException for {@code natural} with more groups than clients
     */
    public static Partitioner create(PluginConfig partition, int clients, RowSource source, long seed) {
        Objects.requireNonNull(source, "source is null");
        return create(partition, clients, source.schema(), source, seed);
    }

    private static Partitioner create(PluginConfig partition, int clients, DataSchema schema, RowSource source,
            long seed) {
        Objects.requireNonNull(partition, "partition is null");
        if (clients < 1) {
            throw new IllegalArgumentException("clients must be >= 1, got " + clients);
        }
        String type = partition.getChoice("type", "iid", TYPES);
        long mixed = mix(seed);
        return switch (type) {
            case "iid" -> new IidPartitioner(clients, mixed);
            case "quantity" -> new QuantityPartitioner(readAlpha(partition, "quantity skew: small values such as 0.1"
                    + " give a few clients most rows, large ones such as 100 almost equal shares"), clients, mixed);
            case "natural" -> {
                if (source == null) {
                    throw new IllegalArgumentException("natural partitioning needs the source: call"
                            + " create(PluginConfig, int, RowSource, long)");
                }
                List<String> groups = source.groups().orElseThrow(() -> partition.invalid("type", "natural gives"
                        + " each client the rows of one value of the stream's id column, but this stream has no"
                        + " id column; set id in the stream (e.g. id: mote_id), or use another partition type"));
                yield new NaturalPartitioner(groups, clients);
            }
            case "dirichlet" -> {
                if (schema.task() != Task.CLASSIFICATION) {
                    throw partition.invalid("type", "dirichlet splits rows by class and needs a classification"
                            + " stream, but this stream is " + schema.task().name().toLowerCase(Locale.ROOT)
                            + "; use type: iid");
                }
                double alpha = readAlpha(partition, "small values such as 0.1 give strong label skew, large ones such"
                        + " as 100 almost none");
                yield new DirichletPartitioner(alpha, clients, schema.numClasses(), mixed);
            }
            default -> throw new AssertionError("unhandled partition type " + type);
        };
    }

    private static double readAlpha(PluginConfig partition, String hint) {
        double alpha = partition.getDouble("alpha", 0.5);
        if (!(alpha > 0)) {
            throw partition.invalid("alpha", "must be > 0, got " + alpha + " (" + hint + ")");
        }
        return alpha;
    }

    /** SplitMix64's finaliser: nearby seeds give unrelated streams. */
    static long mix(long seed) {
        long z = seed + SALT;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
