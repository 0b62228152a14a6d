package io.scarcity.runtime.engine;

import io.scarcity.api.DataSchema;
import io.scarcity.api.MetricsSink;
import io.scarcity.api.PluginContext;
import java.lang.System.Logger;
import java.time.Clock;
import java.util.Optional;
import java.util.Random;

/** The {@link PluginContext} the in-process engine gives each component. */
final class RunContext implements PluginContext {
    private final long runSeed;
    private final String clientId;
    private final String domain;
    private final DataSchema schema;
    private final String instanceName;
    private final MetricsSink metrics;
    private final java.nio.file.Path configDir;

    RunContext(long runSeed, String clientId, String domain, DataSchema schema, String instanceName, MetricsSink metrics,
               java.nio.file.Path configDir) {
        this.configDir = configDir;
        this.runSeed = runSeed;
        this.clientId = clientId;
        this.domain = domain;
        this.schema = schema;
        this.instanceName = instanceName;
        this.metrics = metrics;
    }

    @Override
    public long seed() {
        return runSeed;
    }

    @Override
    public Random random() {
        return new Random(Seeds.derive(runSeed, (clientId == null ? "coordinator" : clientId) + "/" + instanceName));
    }

    @Override
    public Clock clock() {
        return Clock.systemUTC();
    }

    @Override
    public Logger logger() {
        return System.getLogger("io.scarcity.plugin." + instanceName);
    }

    @Override
    public MetricsSink metrics() {
        return metrics;
    }

    @Override
    public Optional<String> clientId() {
        return Optional.ofNullable(clientId);
    }

    @Override
    public Optional<String> domain() {
        return Optional.ofNullable(domain);
    }

    @Override
    public Optional<DataSchema> schema() {
        return Optional.ofNullable(schema);
    }

    @Override
    public java.nio.file.Path configDir() {
        return configDir;
    }

    @Override
    public String instanceName() {
        return instanceName;
    }
}
