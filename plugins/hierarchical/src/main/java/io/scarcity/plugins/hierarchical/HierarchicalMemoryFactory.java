package io.scarcity.plugins.hierarchical;

import io.scarcity.api.DataSchema;
import io.scarcity.api.Memory;
import io.scarcity.api.MemoryFactory;
import io.scarcity.api.PluginConfig;
import io.scarcity.api.PluginContext;
import java.util.Objects;

/** Creates {@link HierarchicalMemory}s: a recent window, a reservoir sample and per-class prototypes or codes. */
public final class HierarchicalMemoryFactory implements MemoryFactory {
    /** Largest array the JVM reliably allocates. */
    private static final long MAX_VALUES = Integer.MAX_VALUE - 8;

    public HierarchicalMemoryFactory() {
    }

    @Override
    public String name() {
        return "hierarchical";
    }

    @Override
    public String description() {
        return "Three-tier bounded memory: recent window, reservoir or class-balanced sample, per-class prototypes or codec codes; drift or loss promotes rows";
    }

    @Override
    public Memory create(PluginConfig config, PluginContext context) {
        Objects.requireNonNull(config, "config is null");
        Objects.requireNonNull(context, "context is null");
        Options options = Options.from(config);
        DataSchema schema = context.requireSchema(config, "the hierarchical memory");
        int features = schema.numFeatures();
        if ((long) options.workingSize() * features > MAX_VALUES) {
            throw config.invalid("workingSize", options.workingSize() + " rows of " + features + " features do not fit in memory");
        }
        if ((long) options.episodicSize() * features > MAX_VALUES) {
            throw config.invalid("episodicSize", options.episodicSize() + " rows of " + features + " features do not fit in memory");
        }
        if ((long) options.semanticSize() * features > MAX_VALUES) {
            throw config.invalid("semanticSize", options.semanticSize() + " entries of " + features + " features do not fit in memory");
        }
        return new HierarchicalMemory(options, schema, context.random());
    }
}
