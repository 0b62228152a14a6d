package io.scarcity.api;

import java.lang.System.Logger;
import java.time.Clock;
import java.util.Optional;
import java.util.Random;

/**
 * What the runtime offers a plugin when it creates one. Every method has a default so that the
 * runtime can offer new services later without breaking plugins compiled against an older API.
 *
 * <p>Plugins must take all randomness from {@link #random()} (never {@code new Random()} or
 * {@code Math.random()}): the runtime seeds it from the run seed, the client and the component, which
 * is what makes a run reproducible whatever the thread count.
 */
public interface PluginContext {
    /** The run seed. */
    default long seed() {
        return 0L;
    }

    /**
     * A random generator owned by the component being created, seeded from the run seed, the client
     * and the component's name. Each call may return a new generator with the same seed, so call it
     * once and keep the result.
     */
    default Random random() {
        return new Random(seed());
    }

    /** The clock to use for timestamps (a fixed clock in tests). */
    default Clock clock() {
        return Clock.systemUTC();
    }

    /** Logger for the component; messages go to the run's log file. */
    default Logger logger() {
        return System.getLogger("io.scarcity.plugin");
    }

    /** Where the component reports its own metrics. */
    default MetricsSink metrics() {
        return MetricsSink.NONE;
    }

    /** Id of the client the component runs on; empty on the coordinator. */
    default Optional<String> clientId() {
        return Optional.empty();
    }

    /** Domain of the client the component runs on; empty on the coordinator. */
    default Optional<String> domain() {
        return Optional.empty();
    }

    /**
     * The folder of the run's config file, against which relative file paths in a plugin's options
     * (e.g. a constraints file) resolve; the working directory when there is no config file.
     */
    default java.nio.file.Path configDir() {
        return java.nio.file.Path.of(".");
    }

    /** Schema of the client's stream; empty on the coordinator, which never sees data. */
    default Optional<DataSchema> schema() {
        return Optional.empty();
    }

    /**
     * The schema of the client's stream, for a component that runs on a client only.
     *
     * @param config the component's options (the error names their path)
     * @param component what is being created, as the message says it, e.g. {@code "the forest expert"}
     * @throws ConfigException "COMPONENT runs on a client and needs the stream's schema, but none was given"
     */
    default DataSchema requireSchema(PluginConfig config, String component) {
        return schema().orElseThrow(() -> new ConfigException(config.path(),
                component + " runs on a client and needs the stream's schema, but none was given"));
    }

    /** Name of the instance being created (e.g. {@code stat-fast}); the plugin name if the config gave none. */
    default String instanceName() {
        return "";
    }

    /**
     * A context outside any run, for tests and embedding: the given seed and schema, the plugin name as
     * instance name, everything else default.
     *
     * @param schema may be {@code null} (a coordinator-side component)
     */
    static PluginContext standalone(long seed, DataSchema schema, String instanceName) {
        return new PluginContext() {
            @Override
            public long seed() {
                return seed;
            }

            @Override
            public Random random() {
                return new Random(seed * 31 + instanceName.hashCode());
            }

            @Override
            public Optional<DataSchema> schema() {
                return Optional.ofNullable(schema);
            }

            @Override
            public String instanceName() {
                return instanceName;
            }
        };
    }
}
