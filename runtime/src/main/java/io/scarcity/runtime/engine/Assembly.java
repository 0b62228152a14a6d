package io.scarcity.runtime.engine;

import io.scarcity.api.ConfigException;
import io.scarcity.api.DataSchema;
import io.scarcity.api.Expert;
import io.scarcity.api.GossipStrategy;
import io.scarcity.api.Memory;
import io.scarcity.api.MetaLearner;
import io.scarcity.api.PluginConfig;
import io.scarcity.api.PluginContext;
import io.scarcity.api.PluginFactory;
import io.scarcity.api.PluginKind;
import io.scarcity.api.Router;
import io.scarcity.runtime.client.ClientNode;
import io.scarcity.runtime.client.ExpertSlot;
import io.scarcity.runtime.client.RunMetricsSink;
import io.scarcity.runtime.config.ExpertSelection;
import io.scarcity.runtime.config.PluginSelection;
import io.scarcity.runtime.config.RunConfig;
import io.scarcity.runtime.plugin.InstalledPlugin;
import io.scarcity.runtime.plugin.PluginRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Builds a run's components from the config and the installed plugins: only what the config selects
 * is instantiated. After each {@code create}, config keys the plugin never read are reported as
 * unknown, with their full path.
 */
public final class Assembly {
    /** Appended to an expert's name for its personal twin ({@code federation.personal}); names cannot contain it. */
    public static final String PERSONAL_SUFFIX = "@own";

    /** The meta-learner plugin {@code federation.mode: fedavg} runs. */
    static final String FEDAVG = "fedavg";
    private final RunConfig config;
    private final PluginRegistry registry;

    /** Relative file paths in plugins' options resolve against the config file's folder. */
    private final java.nio.file.Path configDir;

    public Assembly(RunConfig config, PluginRegistry registry) {
        this(config, registry, java.nio.file.Path.of("."));
    }

    public Assembly(RunConfig config, PluginRegistry registry, java.nio.file.Path configDir) {
        this.configDir = java.util.Objects.requireNonNull(configDir, "configDir is null");
        this.config = Objects.requireNonNull(config, "config is null");
        this.registry = Objects.requireNonNull(registry, "registry is null");
    }

    /** Checks every plugin name before anything is created, so that all name errors come first. */
    public void checkNames() {
        for (int i = 0; i < config.experts().size(); i++) {
            registry.require(PluginKind.EXPERT, config.experts().get(i).plugin(), "experts[" + i + "].plugin");
        }
        registry.require(PluginKind.ROUTER, config.router().plugin(), "router.plugin");
        registry.require(PluginKind.MEMORY, config.memory().plugin(), "memory.plugin");
        registry.require(PluginKind.META_LEARNER, config.metaLearner().plugin(), "metaLearner.plugin");
        if (config.federation().fedavg() && !registry.names(PluginKind.META_LEARNER).contains(FEDAVG)) {
            throw new ConfigException("federation.mode", "fedavg averages weights with the '" + FEDAVG
                    + "' meta-learner plugin, which is not installed (installed meta-learners: "
                    + String.join(", ", registry.names(PluginKind.META_LEARNER)) + "); install it or choose another mode");
        }
        registry.require(PluginKind.GOSSIP, config.gossip().plugin(), "gossip.plugin");
    }

    /**
     * A client with its own experts, router and memory; a warm start from pooled states is guarded by a cold twin
     * built the same way ({@link ClientNode#guardWarmStartsWith}).
     */
    public ClientNode client(String clientId, String domain, DataSchema schema) {
        ClientNode client = unguardedClient(clientId, domain, schema);
        client.guardWarmStartsWith(() -> unguardedClient(clientId, domain, schema));
        return client;
    }

    /** Expert {@code i} of the config as a slot named {@code name}, with a metrics sink of its own (added to {@code sinks}). */
    private ExpertSlot expertSlot(ExpertSelection sel, int i, String name, boolean personal, String clientId, String domain,
                                  DataSchema schema, List<RunMetricsSink> sinks) {
        RunMetricsSink sink = new RunMetricsSink();
        sinks.add(sink);
        Expert e = create(PluginKind.EXPERT, sel.plugin(), sel.config(), "experts[" + i + "]",
                new RunContext(config.seed(), clientId, domain, schema, name, sink, configDir), Expert.class);
        return new ExpertSlot(name, sel.plugin(), e, personal);
    }

    /**
     * The schema a domain's clients are built with: the stream's, or, when the domain withholds its labels
     * ({@code domains[i].labels.withheld}), the same features without labels.
     */
    private DataSchema clientSchema(String domain, DataSchema stream) {
        boolean withheld = config.domain(domain).map(d -> d.labels().withheld()).orElse(false);
        return withheld && stream.labelled() ? new DataSchema(stream.featureNames(), io.scarcity.api.Task.UNLABELLED, List.of())
                : stream;
    }

    private ClientNode unguardedClient(String clientId, String domain, DataSchema stream) {
        DataSchema schema = clientSchema(domain, stream);
        List<ExpertSlot> slots = new ArrayList<>();
        List<RunMetricsSink> sinks = new ArrayList<>();
        for (int i = 0; i < config.experts().size(); i++) {
            ExpertSelection sel = config.experts().get(i);
            ExpertSlot slot = expertSlot(sel, i, sel.instanceName(), false, clientId, domain, schema, sinks);
            slots.add(slot);
            // A twin is weighed against its shared expert by the mixture's predictions; a client without labels
            // predicts nothing, and a twin there would only learn twice and OR in flags it took no prior for.
            if (config.federation().twins() && schema.labelled() && slot.capabilities().gossipable()
                    && slot.capabilities().predicts()) {
                slots.add(expertSlot(sel, i, sel.instanceName() + PERSONAL_SUFFIX, true, clientId, domain, schema, sinks));
            }
        }
        if (slots.stream().noneMatch(s -> s.capabilities().predicts())) {
            throw new ConfigException("experts", "none of the experts predicts (" + String.join(", ",
                    slots.stream().map(ExpertSlot::name).toList()) + "); add a predicting expert such as 'statistical'");
        }
        if (!schema.labelled() && slots.stream().noneMatch(s -> s.capabilities().predicts() && s.capabilities().learnsWithoutLabels())) {
            List<String> needing = slots.stream().filter(s -> !s.personal() && !s.capabilities().learnsWithoutLabels())
                    .map(ExpertSlot::name).toList();
            throw new ConfigException("experts", "domain '" + domain + "' has no labels for its clients ("
                    + (stream.labelled() ? "labels.withheld" : "its stream names no label") + "), and none of the experts"
                    + " the router could choose learns without them" + (needing.isEmpty() ? "" : " (" + String.join(", ", needing)
                    + " learn from labels only)") + "; add one that does: statistical (moments and outliers), geometry (a"
                    + " principal subspace), reconstruction (a variational autoencoder), temporal (forecasts) or causal (a"
                    + " graph among the features)");
        }
        RunMetricsSink routerSink = new RunMetricsSink();
        RunMetricsSink memorySink = new RunMetricsSink();
        sinks.add(routerSink);
        sinks.add(memorySink);
        Router router = create(PluginKind.ROUTER, config.router().plugin(), config.router().config(), "router",
                new RunContext(config.seed(), clientId, domain, schema, config.router().plugin(), routerSink, configDir), Router.class);
        Memory memory = create(PluginKind.MEMORY, config.memory().plugin(), config.memory().config(), "memory",
                new RunContext(config.seed(), clientId, domain, schema, config.memory().plugin(), memorySink, configDir), Memory.class);
        ClientNode client = new ClientNode(clientId, domain, schema, slots, router, memory, config.replayRows(),
                config.coordinator().priorWeight(), config.privacy().minMomentRows(), sinks, config.mixture());
        config.domain(domain).ifPresent(d -> client.scarceLabels(d.labels(), config.seed()));
        if (config.privacy().secureAggregation().insights()) {
            client.aggregateInsightsSecurely();
        } else if (config.privacy().secureAggregation().enabled()) {
            client.aggregateMomentsSecurely();
        }
        if (config.privacy().dp() != null && config.privacy().dp().noisesInsights()) {
            client.privately(new io.scarcity.runtime.privacy.InsightPrivacy(config.privacy().dp(), config.rounds(),
                    config.seed(), clientId));
        }
        if (config.privacy().dp() != null && config.privacy().dp().noisesGossip()) {
            client.gossipPrivately(new io.scarcity.runtime.privacy.GossipPrivacy(config.privacy().dp(), config.seed(), clientId));
        }
        if (schema != stream && stream.task() == io.scarcity.api.Task.CLASSIFICATION) {
            io.scarcity.runtime.config.DomainConfig d = config.domain(domain).orElseThrow();
            int normal;
            try {
                normal = d.labels().normalClass(stream.classNames());
            } catch (ConfigException e) {
                throw new ConfigException("domains[" + config.domains().indexOf(d) + "].labels." + e.path(), e.reason());
            }
            client.withholdLabels(stream, normal);
        }
        return client;
    }

    /**
     * The coordinator's meta-learner (no schema: the coordinator never sees data). With
     * {@code federation.mode: fedavg} it is the {@code fedavg} plugin weighting by samples, fed no insights:
     * FedAvg exists once, in its plugin; the configured meta-learner is still built, so its options are checked.
     */
    public MetaLearner metaLearner(RunMetricsSink sink) {
        MetaLearner created = createMetaLearner(sink);
        if (config.privacy().dp() != null && config.privacy().dp().noisesGossip()
                && (created.sharesWeights() || created.warmStartsFromStates())) {
            throw new ConfigException("privacy.dp.outputs", "'" + config.privacy().dp().outputs() + "' keeps expert states on the "
                    + "clients, but " + (created.sharesWeights() ? "weight sharing (federation.mode: fedavg, or a weight-sharing "
                    + "meta-learner)" : "a warm start from pooled states (metaLearner.config.warmStart)") + " sends them to the "
                    + "coordinator; use federation.mode: federated without warmStart, or outputs: insights");
        }
        created.useMergeLaws(mergeLaws().asMap());
        return created;
    }

    private MetaLearner createMetaLearner(RunMetricsSink sink) {
        PluginSelection sel = config.metaLearner();
        if (config.federation().fedavg()) {
            create(PluginKind.META_LEARNER, sel.plugin(), sel.config(), "metaLearner",
                    new RunContext(config.seed(), null, null, null, sel.plugin(), new RunMetricsSink(), configDir), MetaLearner.class);
            return create(PluginKind.META_LEARNER, FEDAVG, java.util.Map.of("weighting", "samples"), "federation",
                    new RunContext(config.seed(), null, null, null, FEDAVG, sink, configDir), MetaLearner.class);
        }
        return create(PluginKind.META_LEARNER, sel.plugin(), sel.config(), "metaLearner",
                new RunContext(config.seed(), null, null, null, sel.plugin(), sink, configDir), MetaLearner.class);
    }

    /**
     * The merge laws the configured expert plugins declare ({@link io.scarcity.api.ExpertFactory#mergeLaw}), by
     * plugin name: what gossip and weight-sharing meta-learners merge those plugins' states by.
     */
    public io.scarcity.runtime.federation.MergeLaws mergeLaws() {
        java.util.Map<String, io.scarcity.api.MergeLaw> laws = new java.util.TreeMap<>();
        // the tables of private gossip (privacy.dp.outputs: gossip) merge by their own law, whatever the experts
        laws.put(io.scarcity.runtime.privacy.GossipPrivacy.TABLE, io.scarcity.runtime.privacy.GossipPrivacy.LAW);
        for (int i = 0; i < config.experts().size(); i++) {
            String plugin = config.experts().get(i).plugin();
            InstalledPlugin installed = registry.require(PluginKind.EXPERT, plugin, "experts[" + i + "].plugin");
            if (installed.factory() instanceof io.scarcity.api.ExpertFactory factory) {
                factory.mergeLaw().ifPresent(law -> laws.put(factory.name(), law));
            }
        }
        return new io.scarcity.runtime.federation.MergeLaws(laws);
    }

    public GossipStrategy gossip(RunMetricsSink sink) {
        PluginSelection sel = config.gossip();
        return create(PluginKind.GOSSIP, sel.plugin(), sel.config(), "gossip",
                new RunContext(config.seed(), null, null, null, "gossip/" + sel.plugin(), sink, configDir), GossipStrategy.class);
    }

    private <T> T create(PluginKind kind, String plugin, java.util.Map<String, Object> raw, String path,
                         PluginContext context, Class<T> type) {
        InstalledPlugin installed = registry.require(kind, plugin, path + ".plugin");
        PluginConfig pc = PluginConfig.of(path + ".config", raw);
        Object created;
        try {
            created = ((PluginFactory<?>) installed.factory()).create(pc, context);
        } catch (ConfigException e) {
            throw e;
        } catch (RuntimeException | LinkageError e) {
            throw io.scarcity.runtime.plugin.PluginFault.of(installed, "while starting (its factory's create, for " + path + ")", e,
                    "no run folder was created");
        }
        if (!type.isInstance(created)) {
            throw io.scarcity.runtime.plugin.PluginFault.of(installed, "while starting", new IllegalStateException("its factory returned "
                    + (created == null ? "null" : created.getClass().getName()) + " instead of a " + type.getSimpleName()),
                    "no run folder was created");
        }
        Set<String> unread = pc.unreadKeys();
        if (!unread.isEmpty()) {
            String first = unread.iterator().next();
            throw new ConfigException(first, "unknown key for the " + kind.label() + " plugin '" + plugin + "'"
                    + (unread.size() > 1 ? " (also unknown: " + String.join(", ", unread.stream().skip(1).toList()) + ")" : "")
                    + "; options it reads here: " + (pc.askedKeysAround(first).isEmpty() ? "none"
                    : String.join(", ", pc.askedKeysAround(first))));
        }
        return type.cast(created);
    }
}
