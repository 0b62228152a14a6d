package io.scarcity.network.cli;

import io.scarcity.api.ApiVersion;
import io.scarcity.network.federation.FleetHost;
import io.scarcity.network.federation.RealClientHost;
import io.scarcity.network.federation.SimulationHost;
import io.scarcity.network.proto.Hello;
import io.scarcity.network.proto.InstalledPlugin;
import io.scarcity.network.proto.SimulateRange;
import io.scarcity.network.transport.HostConnection;
import io.scarcity.network.transport.HostRefusedException;
import io.scarcity.network.transport.TlsRejectedException;
import io.scarcity.runtime.UserException;
import io.scarcity.runtime.cli.PluginOptions;
import io.scarcity.runtime.plugin.PluginRegistry;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "client", mixinStandardHelpOptions = true,
        header = "Hosts clients of a networked federation: simulated ones, or one real client with its own data.",
        description = {"Hosts clients of a networked federation: dials out to the coordinator (it never needs to reach",
                "this machine), builds the clients it is given from the coordinator's experiment and runs their rounds",
                "on data read here; rows never leave the process. Either simulated clients of the experiment",
                "(--simulate FROM-TO) or one real client with its own stream (--id NAME --domain D --stream STREAM.yaml).",
                "Gossip with clients on other hosts is relayed by the coordinator, sealed so that it cannot read it, or goes",
                "host to host where one of the two hosts listens for its peers (--peer-listen)."})
final class ClientCommand implements Callable<Integer> {
    @Mixin
    PluginOptions plugins;

    @Mixin
    Security security;

    @Option(names = "--coordinator", paramLabel = "HOST:PORT", required = true, description = "The coordinator's address.")
    String coordinator;

    @Option(names = "--simulate", paramLabel = "FROM-TO",
            description = "Host the experiment's simulated clients FROM..TO (0-based, inclusive, in the config's order).")
    String simulate;

    @Option(names = "--id", paramLabel = "NAME",
            description = "A real client: its name in the federation (letters, digits, '.', '_', '-'); joining again with it takes its slot back.")
    String id;

    @Option(names = "--domain", paramLabel = "D", description = "A real client: the coordinator's domain it joins (one with stream: {type: remote}).")
    String domain;

    @Option(names = "--stream", paramLabel = "STREAM.yaml",
            description = "A real client: its own stream, a YAML file with the keys of a config's domains[i].stream (e.g. type: csv, path, label).")
    Path stream;

    @Option(names = "--data-dir", paramLabel = "DIR", defaultValue = ".",
            description = "Folder relative data paths (the experiment's, or the stream file's) resolve against here (default: the current folder).")
    Path dataDir;

    @Option(names = "--state-dir", paramLabel = "DIR", defaultValue = "scarcity-state",
            description = {"Where this host keeps its clients' states, saved at each coordinator checkpoint (default:",
                    "${DEFAULT-VALUE} in the current folder, readable by you only). A host started again with the same folder",
                    "continues its clients from there; a resumed coordinator rewinds them to its checkpoint."})
    Path stateDir;

    @Option(names = "--max-epsilon", paramLabel = "E", description = {"A real client: its own differential-privacy budget.",
        "Its insights are noised for at most E over the run, whatever the experiment asks (docs/privacy.md)."})
    Double maxEpsilon;

    @Option(names = "--name", paramLabel = "NAME", description = "This host's name in the coordinator's log (default: the machine's).")
    String name;

    @Option(names = "--peer-listen", paramLabel = "[HOST:]PORT",
            description = "Direct gossip: also serve this host's gossip peers on HOST:PORT (HOST defaults to 127.0.0.1, loopback; "
                    + "0.0.0.0 for every interface; PORT 0 for any free one), so that other hosts exchange states with its clients "
                    + "directly instead of through the coordinator. Same TLS as --tls-dir (a peer must present the certificate that "
                    + "signed its gossip key), plaintext with --insecure. Without it, this host still dials peers that listen.")
    String peerListen;

    @Option(names = "--peer-advertise", paramLabel = "HOST:PORT",
            description = "Direct gossip: the address other hosts dial to reach --peer-listen (e.g. this machine's name, or a "
                    + "forwarded port); default: the --peer-listen address.")
    String peerAdvertise;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        var err = spec.commandLine().getErr();
        Security.hostPort(coordinator, "--coordinator");
        boolean real = id != null || domain != null || stream != null;
        if (maxEpsilon != null && !real) {
            throw new io.scarcity.runtime.UserException("--max-epsilon is a real client's own budget (with --id, --domain and"
                    + " --stream); simulated clients follow the experiment's privacy.dp");
        }
        if (maxEpsilon != null && !(maxEpsilon > 0 && maxEpsilon < Double.POSITIVE_INFINITY)) {
            throw new io.scarcity.runtime.UserException("--max-epsilon: expected a budget > 0 (e.g. 1, 4 or 16), got " + maxEpsilon);
        }
        if (real == (simulate != null)) {
            throw new UserException(real ? "give either --simulate FROM-TO (simulated clients) or --id, --domain and --stream (one real "
                    + "client), not both" : "give --simulate FROM-TO to host simulated clients, or --id NAME --domain D --stream "
                    + "STREAM.yaml to run one real client");
        }
        int[] range = real ? null : range(simulate);
        RealClientHost.OwnStream own = real ? ownStream() : null;
        var channel = security.resolve(err);
        try (PluginRegistry registry = plugins.load();
             FleetHost host = real ? budgeted(new RealClientHost(registry, dataDir.toAbsolutePath(), id, domain, own, stateDir.toAbsolutePath()))
                     : new SimulationHost(registry, dataDir.toAbsolutePath(), range[0], range[1] + 1, stateDir.toAbsolutePath())) {
            if (channel.tls().isPresent()) {
                // gossip keys signed with this host's TLS key, peers' checked against the federation's CA
                host.sealGossipWith(channel.tls().get());
            }
            String peerAddress = listenForPeers(host, channel, err);
            Hello.Builder hello = Hello.newBuilder().setHostName(name != null ? name : java.net.InetAddress.getLocalHost().getHostName())
                    .setApiVersion(ApiVersion.current());
            if (real) {
                hello.setHosted(((RealClientHost) host).hosted());
            } else {
                hello.setSimulate(SimulateRange.newBuilder().setFrom(range[0]).setTo(range[1] + 1));
            }
            registry.all().forEach(p -> hello.addPlugins(InstalledPlugin.newBuilder().setKind(p.kind().label())
                    .setName(p.name()).setVersion(p.version())));
            host.onRestore(err::println);
            host.onDisconnect((reason, retryIn) -> err.println("no connection to " + coordinator + " (" + reason + "); trying again in "
                    + Math.max(1, retryIn.toSeconds()) + " s (Ctrl-C to give up)"));
            try (HostConnection connection = HostConnection.connect(HostConnection.Settings.of(coordinator, channel), hello.build(), host)) {
                err.println(real ? "real client '" + id + "' of domain " + domain + " (" + stream + ": " + own.schema().numFeatures()
                        + " features) joining " + coordinator : "hosting clients " + range[0] + "-" + range[1] + " for " + coordinator);
                if (peerAddress != null) {
                    err.println("gossip peers reach this host at " + peerAddress);
                }
                try {
                    connection.finished().get();
                } catch (ExecutionException e) {
                    Throwable cause = e.getCause();
                    if (cause instanceof HostRefusedException) {
                        throw new UserException(cause.getMessage());
                    }
                    if (cause instanceof TlsRejectedException) {
                        throw new UserException("the coordinator did not accept this host's certificate (not enrolled in this "
                                + "federation): " + cause.getMessage() + "; get a certificate from the federation's CA (scarcity certs)");
                    }
                    throw new UserException("the connection to " + coordinator + " ended: " + cause.getMessage());
                }
                err.println("the coordinator ended the session: " + connection.endReason());
            }
        }
        return 0;
    }

    /**
     * Starts the server for gossip peers when --peer-listen asks for it.
     *
     * @return the address reported to the coordinator, or {@code null} without --peer-listen
     */
    private String listenForPeers(FleetHost host, io.scarcity.network.transport.ChannelSecurity channel, java.io.PrintWriter err)
            throws java.io.IOException {
        if (peerListen == null) {
            if (peerAdvertise != null) {
                throw new UserException("--peer-advertise needs --peer-listen [HOST:]PORT, the address to listen on");
            }
            return null;
        }
        String[] listen = peerListen.contains(":") ? Security.hostPort(peerListen, "--peer-listen")
                : Security.hostPort("127.0.0.1:" + peerListen, "--peer-listen");
        String bind = listen[0].startsWith("[") && listen[0].endsWith("]") ? listen[0].substring(1, listen[0].length() - 1) : listen[0];
        if (peerAdvertise != null) {
            Security.hostPort(peerAdvertise, "--peer-advertise");
        } else if (bind.equals("0.0.0.0") || bind.equals("::")) {
            throw new UserException("--peer-listen " + peerListen + " listens on every interface: give --peer-advertise HOST:PORT, "
                    + "the address other hosts reach this one at");
        }
        if (!channel.isTls()) {
            err.println("warning: --insecure: gossip peers dial this host in plaintext and nobody is authenticated; "
                    + "use --tls-dir outside a trusted network");
        }
        try {
            return host.listenForPeers(bind, Integer.parseInt(listen[1]), peerAdvertise, channel);
        } catch (java.io.IOException e) {
            throw new UserException("--peer-listen " + peerListen + ": " + e.getMessage());
        }
    }

    /** The real client's stream file, checked before anything connects; a bad file or option is a user error (exit 2). */
    private RealClientHost budgeted(RealClientHost host) {
        return maxEpsilon == null ? host : host.maxEpsilon(maxEpsilon);
    }

    private RealClientHost.OwnStream ownStream() {
        for (var o : new Object[][] {{"--id NAME", id}, {"--domain D", domain}, {"--stream STREAM.yaml", stream}}) {
            if (o[1] == null) {
                throw new UserException("a real client needs --id NAME, --domain D and --stream STREAM.yaml; " + o[0] + " is missing");
            }
        }
        if (!id.matches("[A-Za-z0-9][A-Za-z0-9._-]*")) {
            throw new UserException("--id " + id + ": expected a name of letters, digits, '.', '_' or '-'");
        }
        return RealClientHost.OwnStream.read(stream, dataDir.toAbsolutePath());
    }

    static int[] range(String value) {
        String[] parts = value.split("-");
        try {
            if (parts.length == 2) {
                int from = Integer.parseInt(parts[0].trim());
                int to = Integer.parseInt(parts[1].trim());
                if (from >= 0 && to >= from) {
                    return new int[] {from, to};
                }
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new UserException("--simulate " + value + ": expected FROM-TO, 0-based and inclusive, e.g. --simulate 0-9");
    }
}
