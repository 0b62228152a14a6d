package io.scarcity.network.federation;

import io.scarcity.api.ApiVersion;
import io.scarcity.api.PluginKind;
import io.scarcity.network.proto.ClientDescription;
import io.scarcity.network.proto.ClientState;
import io.scarcity.network.proto.Hello;
import io.scarcity.network.proto.InstalledPlugin;
import io.scarcity.network.proto.Ready;
import io.scarcity.network.proto.Reply;
import io.scarcity.network.proto.Welcome;
import io.scarcity.network.transport.Admission;
import io.scarcity.network.transport.ConnectedHost;
import io.scarcity.network.transport.ConnectionLostException;
import io.scarcity.network.transport.HostListener;
import io.scarcity.network.wire.Codecs;
import io.scarcity.runtime.UserException;
import io.scarcity.runtime.client.ClientRoundResult;
import io.scarcity.runtime.config.RunConfig;
import io.scarcity.runtime.engine.ClientFleet;
import io.scarcity.runtime.engine.TaskEvaluation;
import io.scarcity.runtime.plugin.PluginRegistry;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The coordinator's view of clients that live in other processes: host processes dial in
 * ({@link io.scarcity.network.transport.CoordinatorServer}), say which of the experiment's simulated clients
 * they host (or, in a run of real clients, which domain their one client joins: {@link RealClientSlots}),
 * are admitted if they have the selected plugins in the same versions, and from then on play
 * rounds and answer the round protocol's calls. The engine's round loop runs on it unchanged, with a
 * {@link RemoteClient} per client; a round is one call per host, the hosts playing in parallel.
 */
public final class RemoteFleet implements ClientFleet, HostListener, io.scarcity.runtime.federation.GossipExchange {
    private static final Logger LOG = System.getLogger("io.scarcity.network");

    private final RunConfig config;
    private final String configYaml;
    private final String runId;
    private final PluginRegistry registry;
    private final List<String> ids = new ArrayList<>();
    private final RemoteClient[] clients;
    /** Admitted hosts by the first client they host. */
    private final TreeMap<Integer, Range> ranges = new TreeMap<>();
    private final CompletableFuture<Void> complete = new CompletableFuture<>();
    private final java.util.Queue<RemoteClient.Pending> pending = new java.util.concurrent.ConcurrentLinkedQueue<>();
    /** Who was admitted for which clients, with the identity of its certificate (an audit of the federation). */
    private final List<String> admissions = new java.util.concurrent.CopyOnWriteArrayList<>();
    private volatile java.util.function.Consumer<String> onAdmission = line -> { };
    /** Hosts the heartbeats mark silent: left out of rounds until heard again. */
    private final java.util.Set<ConnectedHost> unavailable = java.util.concurrent.ConcurrentHashMap.newKeySet();
    /** The clients' states saved on their hosts, and the rewind of a resume. */
    private final HostStates states;
    /** The rounds played on the hosts. */
    private final HostRounds rounds;
    /** The held-out task evaluations gathered from the hosts. */
    private final TaskScoring tasks;
    /** Gossip between hosts, relayed sealed end to end. */
    private final SealedGossip sealedGossip = new SealedGossip(this::client, pending, this::await);
    private final Map<String, Integer> indexOf = new java.util.HashMap<>();
    /** Which identity took which clients, kept in the run folder. */
    private final Enrolment enrolment;
    /** The slots of remote domains and the real clients in them (none in a simulation). */
    private final RealClientSlots realClients;

    record Range(int from, int to, ConnectedHost host) {
    }

    /**
     * @param configYaml the resolved config, sent to every host
     * @param registry the coordinator's plugins: hosts must have the client-side ones in the same versions
     */
    public RemoteFleet(RunConfig config, String configYaml, String runId, PluginRegistry registry) {
        this.config = config;
        this.configYaml = configYaml;
        this.runId = runId;
        this.registry = registry;
        config.domains().forEach(d -> {
            for (int j = 0; j < d.clients(); j++) {
                ids.add(d.name() + "-" + j);
            }
        });
        this.clients = new RemoteClient[ids.size()];
        for (int i = 0; i < ids.size(); i++) {
            indexOf.put(ids.get(i), i);
        }
        this.realClients = new RealClientSlots(config);
        this.enrolment = new Enrolment(realClients);
        this.states = new HostStates(this, ids);
        this.tasks = new TaskScoring(this, config, ids);
        this.rounds = new HostRounds(this, config, ids, realClients);
    }

    private RemoteClient client(String id) {
        return clients[indexOf.get(id)];
    }

    /**
     * The id of the run in {@code runDir}, from the checkpoint a resume would continue from: the hosts keep
     * their states under it, so a resumed coordinator must welcome them with the same id.
     *
     * @throws UserException if the folder has no checkpoint to resume from
     */
    public static String runIdOf(java.nio.file.Path runDir) {
        var checkpoint = io.scarcity.runtime.checkpoint.RunCheckpoints.choose(runDir.toAbsolutePath().normalize()).checkpoint();
        try (var in = checkpoint.open()) {
            return new io.scarcity.api.StateReader(in).readString();
        } catch (java.io.IOException e) {
            throw new UserException("cannot read the checkpoint " + checkpoint.folder() + ": " + e.getMessage());
        }
    }

    /** Client-side plugins the config selects, as "kind name". */
    private List<io.scarcity.runtime.plugin.InstalledPlugin> clientPlugins() {
        List<io.scarcity.runtime.plugin.InstalledPlugin> out = new ArrayList<>();
        config.experts().forEach(e -> out.add(registry.require(PluginKind.EXPERT, e.plugin(), "experts")));
        out.add(registry.require(PluginKind.ROUTER, config.router().plugin(), "router.plugin"));
        out.add(registry.require(PluginKind.MEMORY, config.memory().plugin(), "memory.plugin"));
        if (config.federation().federated()) {
            // hosts merge gossip states themselves (sealed gossip): the same strategy, the same version
            out.add(registry.require(PluginKind.GOSSIP, config.gossip().plugin(), "gossip.plugin"));
        }
        return out;
    }

    @Override
    public synchronized Admission admit(ConnectedHost host, Hello hello) {
        if (!ApiVersion.current().equals(hello.getApiVersion())) {
            return refuse(host, "this coordinator runs API " + ApiVersion.current() + ", the host API " + hello.getApiVersion()
                    + "; install the same Scarcity version on both", List.of());
        }
        List<InstalledPlugin> missing = new ArrayList<>();
        for (var p : clientPlugins()) {
            boolean has = hello.getPluginsList().stream().anyMatch(h -> h.getKind().equals(p.kind().label())
                    && h.getName().equals(p.name()) && h.getVersion().equals(p.version()));
            if (!has && missing.stream().noneMatch(m -> m.getName().equals(p.name()) && m.getKind().equals(p.kind().label()))) {
                missing.add(InstalledPlugin.newBuilder().setKind(p.kind().label()).setName(p.name()).setVersion(p.version()).build());
            }
        }
        if (!missing.isEmpty()) {
            return refuse(host, "the host lacks the plugins this experiment selects (or has other versions): "
                    + String.join(", ", missing.stream().map(m -> m.getKind() + " '" + m.getName() + "' " + m.getVersion()).toList())
                    + "; install them on the host", missing);
        }
        if (host.identity().filter(io.scarcity.network.certs.Certificates.COORDINATOR_NAME::equals).isPresent()) {
            return refuse(host, "the host presents the coordinator's certificate (named '" + io.scarcity.network.certs.Certificates.COORDINATOR_NAME
                    + "'); give each host a certificate of its own: scarcity certs client --ca CA_DIR --out DIR --name NAME", List.of());
        }
        int from;
        int to;
        if (hello.hasHosted()) {
            RealClientSlots.Claim claim = realClients.claim(host, hello.getHosted());
            if (claim.refusal() != null) {
                return refuse(host, claim.refusal(), List.of());
            }
            from = claim.index();
            to = from + 1;
            enrolment.slotTaken();
        } else if (!hello.hasSimulate() || realClients.any()) {
            return refuse(host, realClients.any() ? "this coordinator waits for real clients (its domains have stream: {type: remote}): "
                    + "start each with --id NAME --domain D --stream STREAM.yaml, not --simulate"
                    : "this coordinator runs a simulation: start the host with --simulate FROM-TO", List.of());
        } else {
            from = hello.getSimulate().getFrom();
            to = hello.getSimulate().getTo();
        }
        if (from < 0 || to > ids.size() || from >= to) {
            return refuse(host, "--simulate " + from + "-" + (to - 1) + " is outside the experiment's clients 0-" + (ids.size() - 1), List.of());
        }
        // Check everything first (a refusal changes nothing), then take the range.
        List<Range> left = new ArrayList<>();
        for (Range r : ranges.values()) {
            if (from < r.to() && r.from() < to) {
                if (r.host().connected()) {
                    return refuse(host, "clients " + Math.max(from, r.from()) + "-" + (Math.min(to, r.to()) - 1)
                            + " are already hosted by " + r.host(), List.of());
                }
                if (r.from() != from || r.to() != to) {
                    return refuse(host, "clients " + r.from() + "-" + (r.to() - 1) + " were hosted by a host that left; "
                            + "a host taking them back must ask for exactly --simulate " + r.from() + "-" + (r.to() - 1), List.of());
                }
                left.add(r);
            }
        }
        if (hello.hasSimulate()) {
            String taken = enrolment.claimRange(from, to, host.identity().orElse(null));
            if (taken != null) {
                return refuse(host, taken, List.of());
            }
        }
        for (Range r : left) {
            ranges.remove(r.from());
            LOG.log(Level.INFO, "host " + host + " takes back clients " + from + "-" + (to - 1));
        }
        ranges.put(from, new Range(from, to, host));
        String admitted = (hello.hasHosted() ? realClients.describe(from) + " on host " : "host ") + host
                + host.identity().map(cn -> " (certificate of '" + cn + "')").orElse(" (no certificate: --insecure)")
                + (hello.hasHosted() ? " admitted as " + ids.get(from) : " admitted for clients " + from + "-" + (to - 1));
        LOG.log(Level.INFO, admitted);
        record("admission", host, hello.hasHosted() ? "admitted as " + ids.get(from) : "admitted for clients " + from + "-" + (to - 1));
        admissions.add(admitted);
        onAdmission.accept(admitted);
        return Admission.welcome(Welcome.newBuilder().setRunId(runId).setConfigYaml(configYaml)
                .addAllClientIds(ids.subList(from, to)).build());
    }

    /**
     * Each admission and refusal as it happens ("host … (certificate of 'host-b1') admitted for clients 0-1",
     * "host … refused: …"), e.g. for the terminal.
     */
    public void onAdmission(java.util.function.Consumer<String> listener) {
        this.onAdmission = listener;
    }

    /** The audit log, once the run has one; until then admissions and refusals wait in {@link #unaudited}. */
    private io.scarcity.runtime.audit.AuditTrail audit;
    private final List<java.util.Map.Entry<String, java.util.Map<String, Object>>> unaudited = new ArrayList<>();

    /** Records admissions and refusals in {@code trail}, those that came before it first (hosts may join early). */
    @Override
    public synchronized void audit(io.scarcity.runtime.audit.AuditTrail trail) {
        this.audit = java.util.Objects.requireNonNull(trail, "trail is null");
        unaudited.forEach(e -> trail.record(e.getKey(), e.getValue()));
        unaudited.clear();
    }

    /** A host's admission or refusal in the audit log: its address, its certificate's name, what was decided. */
    private void record(String type, ConnectedHost host, String what) {
        java.util.Map<String, Object> facts = new java.util.LinkedHashMap<>();
        facts.put("host", host.remoteAddress());
        facts.put("certificate", host.identity().orElse(""));
        facts.put("decision", what);
        if (audit == null) {
            unaudited.add(java.util.Map.entry(type, facts));
        } else {
            audit.record(type, facts);
        }
    }

    /** Every admission and refusal so far, with the identity of the host's certificate. */
    public List<String> admissions() {
        return List.copyOf(admissions);
    }

    private Admission refuse(ConnectedHost host, String reason, List<InstalledPlugin> missing) {
        String refused = "host " + host + host.identity().map(cn -> " (certificate of '" + cn + "')").orElse("") + " refused: " + reason;
        LOG.log(Level.WARNING, refused);
        record("refusal", host, reason);
        admissions.add(refused);
        onAdmission.accept(refused);
        return Admission.refuse(reason, missing);
    }

    @Override
    public synchronized void ready(ConnectedHost host, Ready ready) {
        Range range = ranges.values().stream().filter(r -> r.host() == host).findFirst().orElse(null);
        if (range == null || ready.getClientsCount() != range.to() - range.from()) {
            host.close("the host's clients do not match what it was admitted for");
            return;
        }
        for (int i = 0; i < ready.getClientsCount(); i++) {
            ClientDescription d = ready.getClients(i);
            int index = range.from() + i;
            if (!d.getId().equals(ids.get(index))) {
                host.close("the host built client " + d.getId() + " where " + ids.get(index) + " belongs");
                return;
            }
            String misfit = host.hello().hasHosted() ? realClients.checkReady(index, d) : null;
            if (misfit != null) {
                host.close(misfit);
                return;
            }
            if (clients[index] != null) {
                // The engine keeps its handles for the whole run: the client moves to the new host.
                clients[index].movedTo(host);
                continue;
            }
            clients[index] = new RemoteClient(this, index, host, d.getId(), d.getDomain(), Codecs.SCHEMA.decode(d.getSchema().toByteArray()),
                    List.copyOf(d.getNotCheckpointableList()), pending);
        }
        boolean all = true;
        for (RemoteClient c : clients) {
            all &= c != null;
        }
        if (all) {
            complete.complete(null);
        }
    }

    @Override
    public synchronized void lost(ConnectedHost host, ConnectionLostException cause) {
        unavailable.remove(host);
        LOG.log(Level.WARNING, "host " + host + " disconnected: " + cause.getMessage());
    }

    /**
     * The heartbeats say a host fell silent ({@code available} false) or was heard again: a silent host's
     * clients are left out of the rounds (offline) until it is heard again, and calls waiting on it give up.
     */
    @Override
    public void availabilityChanged(ConnectedHost host, boolean available) {
        if (available) {
            if (unavailable.remove(host)) {
                LOG.log(Level.INFO, "host " + host + " is heard again: its clients play from the next round on");
            }
        } else if (unavailable.add(host)) {
            LOG.log(Level.WARNING, "host " + host + " is silent (no heartbeat for " + host.silentFor().toMillis()
                    + " ms): its clients are left out of the rounds until it is heard again");
        }
    }

    /**
     * Whether calls to {@code host} can be answered: it is connected, welcomed (a host just admitted is in the
     * book before its Welcome has gone out) and not silent.
     */
    boolean reachable(ConnectedHost host) {
        return host.connected() && host.admitted() && !unavailable.contains(host);
    }

    /**
     * Waits for a call's reply while its host is reachable; a host that disconnects or falls silent meanwhile
     * fails the wait with a {@link ConnectionLostException} as the cause, as a lost connection would.
     */
    Reply await(ConnectedHost host, CompletableFuture<Reply> reply, String who, String what) {
        while (true) {
            try {
                reply.get(200, TimeUnit.MILLISECONDS);
                return RemoteClient.await(reply, who, what);
            } catch (TimeoutException e) {
                if (!reachable(host) && !reply.isDone()) {
                    throw new RemoteClient.RemoteFailure(who + " failed (" + what + "): the host is silent",
                            new ConnectionLostException("host " + host + " is silent", false, null));
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for " + who, e);
            } catch (java.util.concurrent.ExecutionException e) {
                return RemoteClient.await(reply, who, what);
            }
        }
    }

    /**
     * Waits until hosts have built every client of the experiment.
     *
     * @throws UserException if they have not within {@code timeout}, saying which clients are missing
     */
    public void awaitClients(Duration timeout) {
        try {
            complete.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            List<String> missing = new ArrayList<>();
            synchronized (this) {
                for (int i = 0; i < clients.length; i++) {
                    if (clients[i] == null) {
                        missing.add(String.valueOf(i));
                    }
                }
            }
            if (realClients.any()) {
                throw new UserException(realClients.missing(missing.stream().map(Integer::valueOf).toList(), timeout));
            }
            throw new UserException("no host took clients " + compact(missing) + " within " + timeout.toSeconds()
                    + " s; start hosts with: scarcity client --coordinator HOST:PORT --simulate FROM-TO");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UserException("interrupted while waiting for hosts");
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        }
    }

    private static String compact(List<String> indices) {
        return indices.size() <= 8 ? String.join(", ", indices) : indices.get(0) + ".." + indices.get(indices.size() - 1)
                + " (" + indices.size() + " clients)";
    }

    @Override
    public List<RemoteClient> clients() {
        return List.of(clients);
    }

    /**
     * Plays a round on every host in parallel. A host that is gone (disconnected before or during the round)
     * is left out of it: its clients count as offline this round ({@code offline} is set for them, so the
     * protocol neither hears nor reaches them) and the round completes with the others. A host that comes
     * back for the same clients is admitted again and plays from the next round on.
     */
    /**
     * Waits for the deliveries of the round before (parameters, merged states) to be confirmed; a client
     * whose host is gone missed them, any other failure stops the run.
     */
    public void confirmDeliveries() {
        for (RemoteClient.Pending p; (p = pending.poll()) != null; ) {
            try {
                await(p.host(), p.reply(), "client " + p.client(), p.what());
            } catch (RemoteClient.RemoteFailure e) {
                if (!(e.getCause() instanceof ConnectionLostException)) {
                    throw e;
                }
                LOG.log(Level.WARNING, "client " + p.client() + " missed a delivery (" + p.what() + "): its host is gone");
            }
        }
    }

    /**
     * Plays a round on every host in parallel ({@link HostRounds}); hosts that are gone, silent or late are
     * left out of it, their clients offline.
     */
    @Override
    public List<ClientRoundResult> play(int round, boolean[] offline, boolean checkEmpty) {
        confirmDeliveries();
        states.played(round);
        return rounds.play(round, offline);
    }

    /** Client {@code index} as the engine sees it. */
    RemoteClient client(int index) {
        return clients[index];
    }

    /** The command that joins this run, for the coordinator's terminal (real clients, or simulation hosts). */
    public String howToJoin(String address) {
        return realClients.any() ? realClients.howToJoin(address) : "scarcity client --coordinator " + address + " --simulate FROM-TO";
    }

    /**
     * Waits until a connected host has built client {@code index} (e.g. a host that came back).
     *
     * @return whether it did within {@code timeout}
     */
    public boolean awaitClient(int index, Duration timeout) throws InterruptedException {
        long end = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < end) {
            synchronized (this) {
                for (Range r : ranges.values()) {
                    if (index >= r.from() && index < r.to() && r.host().connected() && clients[index] != null
                            && clients[index].host() == r.host()) {
                        return true;
                    }
                }
            }
            Thread.sleep(20);
        }
        return false;
    }

    /** The round's gossip: carried out by the hosts, sealed end to end across hosts ({@link SealedGossip}). */
    @Override
    public List<Outcome> exchange(int round, List<io.scarcity.api.GossipPair> pairs, io.scarcity.api.GossipStrategy gossip) {
        return sealedGossip.exchange(round, pairs, gossip);
    }

    /** Gossip between hosts so far: pairs sealed, within a host, skipped, and bytes relayed sealed. */
    public SealedGossip sealedGossip() {
        return sealedGossip;
    }

    /**
     * The held-out task evaluations due after {@code round} ({@link TaskScoring}): the in-process numbers bit
     * for bit; a host that is gone leaves its clients out of the average.
     */
    @Override
    public List<TaskEvaluation> evaluateTasks(int round) {
        return tasks.evaluate(round);
    }

    @Override
    public long[] consumed() {
        return new long[0];
    }

    @Override
    public long[] digests() {
        return new long[0];
    }

    @Override
    public int[] segmentsEvaluated() {
        return tasks.reported();
    }

    /** What the coordinator's checkpoint keeps of client {@code index}: its state saved on its host ({@link HostStates}). */
    ClientState savedState(int index) throws java.io.IOException {
        return states.saved(index);
    }

    /** A resume reads the streams again on the hosts: they are told to, with the clients' states, once all are read. */
    @Override
    public void replay(int round, long[] consumed, long[] digests, int[] segments) throws java.io.IOException {
        tasks.restore(segments);
        states.rewindTo(round);
    }

    /** A resume read client {@code index}'s record from the checkpoint; after the last one the hosts rewind ({@link HostStates}). */
    void restoredState(int index, ClientState record) throws java.io.IOException {
        states.restored(index, record);
    }

    /** The admitted hosts and the clients each has, in client order. */
    synchronized List<Range> hosts() {
        return List.copyOf(ranges.values());
    }

    @Override
    public String runId() {
        return runId;
    }

    /** Keeps the book of which identity took which clients in the run folder ({@code hosts.json}). */
    @Override
    public synchronized void useRunFolder(java.nio.file.Path runDir) {
        enrolment.keepIn(runDir);
    }

    /**
     * A resume: the clients go back to the identities that took them in the run in {@code runDir} (before any
     * host is admitted).
     *
     * @throws UserException if the run folder's book is missing or unreadable
     */
    public synchronized void resumeFrom(java.nio.file.Path runDir) {
        enrolment.restore(runDir);
    }

    @Override
    public Map<String, Long> quarantined() {
        return Map.of();
    }

    @Override
    public Map<String, Map<Long, Integer>> injectedDrifts() {
        return Map.of();
    }

    @Override
    public void logQuarantine() {
        // the hosts log what their sources quarantine
    }

    @Override
    public void close() {
        // The last round's deliveries: confirmed, so that a host's failure there is logged; the server that owns
        // the connections closes them.
        try {
            confirmDeliveries();
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "a delivery of the last round failed: " + e.getMessage());
        }
    }
}
