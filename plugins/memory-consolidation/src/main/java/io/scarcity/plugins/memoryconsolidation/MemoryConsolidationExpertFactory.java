package io.scarcity.plugins.memoryconsolidation;

import io.scarcity.api.Expert;
import io.scarcity.api.ExpertFactory;
import io.scarcity.api.PluginConfig;
import io.scarcity.api.PluginContext;
import java.util.Objects;

/**
 * Creates {@link MemoryConsolidationExpert}s: targeted replay from the client's memory into its learning
 * experts and online elastic weight consolidation at consolidation points (on drift, every K batches).
 */
public final class MemoryConsolidationExpertFactory implements ExpertFactory {
    public MemoryConsolidationExpertFactory() {
    }

    @Override
    public String name() {
        return "memory-consolidation";
    }

    @Override
    public String description() {
        return "Supervisor: replays rows from the client's memory into its experts (replayRows per expert, replayTo "
                + "active or all) and sets online-EWC penalties at consolidation points (on drift, every consolidateEvery "
                + "batches); publishes memory-consolidation.points";
    }

    @Override
    public Expert create(PluginConfig config, PluginContext context) {
        Objects.requireNonNull(config, "config is null");
        Objects.requireNonNull(context, "context is null");
        return new MemoryConsolidationExpert(Options.from(config), context.metrics(), context.logger());
    }
}
