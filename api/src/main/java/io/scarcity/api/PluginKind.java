package io.scarcity.api;

import java.util.Locale;

/** The five extension points, with the factory interface each is registered under. */
public enum PluginKind {
    EXPERT(ExpertFactory.class),
    ROUTER(RouterFactory.class),
    MEMORY(MemoryFactory.class),
    META_LEARNER(MetaLearnerFactory.class),
    GOSSIP(GossipStrategyFactory.class);

    private final Class<? extends PluginFactory<?>> factoryType;

    PluginKind(Class<? extends PluginFactory<?>> factoryType) {
        this.factoryType = factoryType;
    }

    /** The factory interface plugins of this kind implement. */
    public Class<? extends PluginFactory<?>> factoryType() {
        return factoryType;
    }

    /** Lower-case, hyphenated label used in messages and listings, e.g. {@code meta-learner}. */
    public String label() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
}
