package io.scarcity.network.federation;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.ByteString;
import io.scarcity.api.ConfigException;
import io.scarcity.api.DataSchema;
import io.scarcity.network.proto.HostedClient;
import io.scarcity.network.proto.HostedClients;
import io.scarcity.network.wire.Codecs;
import io.scarcity.runtime.UserException;
import io.scarcity.runtime.config.ConfigLoader;
import io.scarcity.runtime.config.DomainConfig;
import io.scarcity.runtime.config.LoadedConfig;
import io.scarcity.runtime.data.DataException;
import io.scarcity.runtime.engine.Assembly;
import io.scarcity.runtime.engine.LocalFleet;
import io.scarcity.runtime.plugin.PluginRegistry;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One real client of a networked federation ({@code scarcity client --id NAME --domain D --stream STREAM.yaml}):
 * its data is a stream of its own, read here and never sent. The coordinator gives it a slot of its domain
 * ({@code D-j}); the client is built from the coordinator's experiment as that slot, with its domain's
 * stream replaced by its own ({@link LocalFleet#ownStream}), and answers calls like any host ({@link FleetHost}).
 */
public final class RealClientHost extends FleetHost {
    private final PluginRegistry registry;
    private final Path dataDir;
    private final String name;
    private final String domain;
    private final OwnStream stream;

    /**
     * A real client's stream file, read and checked.
     *
     * @param file the YAML file, for messages
     * @param keys its keys: those of a config's {@code domains[i].stream}
     * @param schema the stream's schema
     */
    public record OwnStream(Path file, Map<String, Object> keys, DataSchema schema) {
        public OwnStream {
            Objects.requireNonNull(file, "file is null");
            keys = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(keys));
            Objects.requireNonNull(schema, "schema is null");
        }

        /**
         * Reads a stream file (a YAML mapping with the keys of a config's {@code domains[i].stream}) and opens the
         * stream once to check it: its keys, its files (relative to {@code dataDir}), that it has a row.
         *
         * @throws ConfigException or {@link DataException} naming the file and what is wrong
         */
        public static OwnStream read(Path file, Path dataDir) {
            JsonNode node = ConfigLoader.readFile(file);
            Map<String, Object> keys = ConfigLoader.plain(node);
            try {
                return new OwnStream(file, keys, LocalFleet.checkOwnStream(keys, dataDir));
            } catch (ConfigException e) {
                throw new ConfigException("", file + ": " + e.getMessage());
            } catch (DataException e) {
                throw new DataException(file + ": " + e.getMessage(), e);
            }
        }
    }

    /**
     * @param dataDir the folder the stream's relative paths resolve against
     * @param name the client's name in the federation ({@code --id}): it keeps its slot by it
     * @param domain the domain the client joins (one of the coordinator's remote domains)
     * @param stateDir the client's state folder (see {@link FleetHost#FleetHost}); {@code null} for none
     */
    public RealClientHost(PluginRegistry registry, Path dataDir, String name, String domain, OwnStream stream, Path stateDir) {
        super(registry, dataDir, stateDir);
        this.registry = Objects.requireNonNull(registry, "registry is null");
        this.dataDir = Objects.requireNonNull(dataDir, "dataDir is null");
        this.name = Objects.requireNonNull(name, "name is null");
        this.domain = Objects.requireNonNull(domain, "domain is null");
        this.stream = Objects.requireNonNull(stream, "stream is null");
    }

    private static final System.Logger LOG = System.getLogger("io.scarcity.client");

    /** This client's own privacy budget ({@code --max-epsilon}); null: the experiment's. */
    private Double maxEpsilon;

    /**
     * The data owner's own budget: this client's insights are noised for at most {@code epsilon} over the run, at a delta
     * of at most 1e-5 and with noise from its own secure source, whatever the coordinator's experiment asks; a smaller
     * budget of the experiment's stands.
     */
    public RealClientHost maxEpsilon(double epsilon) {
        if (!(epsilon > 0) || Double.isInfinite(epsilon)) {
            throw new io.scarcity.runtime.UserException("--max-epsilon: expected a budget > 0 (e.g. 1, 4 or 16), got " + epsilon);
        }
        this.maxEpsilon = epsilon;
        return this;
    }

    /** In the experiment's resolved config: {@code privacy.dp.epsilon} lowered to this client's own budget. */
    private void ownBudget(ObjectNode tree) {
        if (maxEpsilon == null) {
            return;
        }
        ObjectNode privacy = tree.with("privacy");
        com.fasterxml.jackson.databind.JsonNode dp = privacy.get("dp");
        double asked = dp != null && dp.hasNonNull("epsilon") ? dp.get("epsilon").asDouble() : Double.POSITIVE_INFINITY;
        ObjectNode own = dp instanceof ObjectNode o ? o : privacy.putObject("dp");
        // the client's terms, whatever the experiment says: noise from its own secure source (seeded noise is known to
        // whoever knows the seed), delta at most the default, epsilon at most its own
        own.put("noise", "secure");
        if (!own.hasNonNull("delta") || !(own.get("delta").asDouble() <= io.scarcity.runtime.config.DpConfig.DEFAULT_DELTA)) {
            own.put("delta", io.scarcity.runtime.config.DpConfig.DEFAULT_DELTA);
        }
        if (asked <= maxEpsilon) {
            return;
        }
        own.put("epsilon", maxEpsilon);
        LOG.log(System.Logger.Level.INFO, "client '" + name + "' noises its insights for its own budget, epsilon " + maxEpsilon
                + (Double.isInfinite(asked) ? " (the experiment asks for no differential privacy)" : " (the experiment asks for " + asked + ")"));
    }

    /** What the Hello says of this client: its name, its domain and its stream's schema. */
    public HostedClients hosted() {
        return HostedClients.newBuilder().addClients(HostedClient.newBuilder().setId(name).setDomain(domain)
                .setSchema(ByteString.copyFrom(Codecs.SCHEMA.encode(stream.schema())))).build();
    }

    /**
     * The coordinator's experiment with one domain, this client's: the slot the coordinator gave
     * ({@code Welcome.client_ids}, one id) with this client's stream in place of {@code type: remote}.
     */
    @Override
    protected LocalFleet newFleet(LoadedConfig run, List<String> clientIds) {
        if (clientIds.size() != 1) {
            throw new IllegalStateException("the coordinator gave this real client " + clientIds.size() + " slots " + clientIds
                    + "; it runs one");
        }
        DomainConfig d = run.config().domain(domain).filter(DomainConfig::remote).orElseThrow(
                () -> new UserException("the coordinator's experiment has no remote domain '" + domain + "'"));
        ObjectNode tree = run.resolved().deepCopy();
        ObjectNode own = tree.putArray("domains").addObject();
        own.put("name", domain);
        own.put("clients", 1);
        own.set("stream", ConfigLoader.strictMapper().valueToTree(stream.keys()));
        own.put("batchesPerRound", d.batchesPerRound(run.config().batchesPerRound()));
        ownBudget(tree);
        LoadedConfig mine = ConfigLoader.bindTree(tree, "the coordinator's config with the stream of " + stream.file(), dataDir);
        Assembly assembly = new Assembly(mine.config(), registry, dataDir);
        assembly.checkNames();
        return LocalFleet.ownStream(mine.config(), assembly, dataDir, clientIds.get(0));
    }

    @Override
    protected String who() {
        return "client-" + name;
    }

    @Override
    protected String continuing() {
        return "client '" + name + "' continues";
    }
}
