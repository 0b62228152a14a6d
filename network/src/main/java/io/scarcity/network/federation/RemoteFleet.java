package io.scarcity.network.federation;

import io.scarcity.api.ApiVersion;
import io.scarcity.api.PluginKind;
import io.scarcity.network.proto.Call;
import io.scarcity.network.proto.ClientDescription;
import io.scarcity.network.proto.ClientState;
import io.scarcity.network.proto.ClientTurn;
import io.scarcity.network.proto.Hello;
import io.scarcity.network.proto.InstalledPlugin;
import io.scarcity.network.proto.Ready;
import io.scarcity.network.proto.Reply;
import io.scarcity.network.proto.Rewind;
import io.scarcity.network.proto.RunRound;
import io.scarcity.network.proto.SaveState;
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
    /** Per domain, the task segments whose evaluations were reported (kept in checkpoints). */
    private final int[] reportedSegments;
    /** The last round played (or resumed after). */
    private int played;
    /** Per client: its state saved on its host, as the last checkpoint recorded it (round 0: none). */
    private final ClientState[] saved;
    /** The round {@link #saved} was last brought up to date for, -1 for never. */
    private int savedFor = -1;
    /** A resume: the round to rewind the hosts to, and how many clients' records the checkpoint gave so far. */
    private int rewindRound = -1;
    private int restoredClients;
    /** Gossip between hosts, relayed sealed end to end. */
    private final SealedGossip sealedGossip = new SealedGossip(this::client, pending, this::await);
    private final Map<String, Integer> indexOf = new java.util.HashMap<>();
    /** Which identity took which clients, kept in the run folder. */
    private final Enrolment enrolment;
    /** The slots of remote domains and the real clients in them (none in a simulation). */
    private final RealClientSlots realClients;

    private record Range(int from, int to, ConnectedHost host) {
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
        this.saved = new ClientState[ids.size()];
        for (int i = 0; i < saved.length; i++) {
            saved[i] = ClientState.newBuilder().setClientId(ids.get(i)).build();
        }
        for (int i = 0; i < ids.size(); i++) {
            indexOf.put(ids.get(i), i);
        }
        this.realClients = new RealClientSlots(config);
        this.enrolment = new Enrolment(realClients);
        this.reportedSegments = new int[config.domains().size()];
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
        if (hello.hasSimulate()) {
            String taken = enrolment.claimRange(from, to, host.identity().orElse(null));
            if (taken != null) {
                return refuse(host, taken, List.of());
            }
        }
        for (Range r : List.copyOf(ranges.values())) {
            if (from < r.to() && r.from() < to && !r.host().connected()) {
                if (r.from() != from || r.to() != to) {
                    return refuse(host, "clients " + r.from() + "-" + (r.to() - 1) + " were hosted by a host that left; "
                            + "a host taking them back must ask for exactly --simulate " + r.from() + "-" + (r.to() - 1), List.of());
                }
                ranges.remove(r.from());
                LOG.log(Level.INFO, "host " + host + " takes back clients " + from + "-" + (to - 1));
                continue;
            }
            if (from < r.to() && r.from() < to && r.host().connected()) {
                return refuse(host, "clients " + Math.max(from, r.from()) + "-" + (Math.min(to, r.to()) - 1)
                        + " are already hosted by " + r.host(), List.of());
            }
        }
        ranges.put(from, new Range(from, to, host));
        String admitted = (hello.hasHosted() ? realClients.describe(from) + " on host " : "host ") + host
                + host.identity().map(cn -> " (certificate of '" + cn + "')").orElse(" (no certificate: --insecure)")
                + (hello.hasHosted() ? " admitted as " + ids.get(from) : " admitted for clients " + from + "-" + (to - 1));
        LOG.log(Level.INFO, admitted);
        admissions.add(admitted);
        onAdmission.accept(admitted);
        return Admission.welcome(Welcome.newBuilder().setRunId(runId).setConfigYaml(configYaml)
                .addAllClientIds(ids.subList(from, to)).build());
    }

    /** Each admission as it happens ("host … (certificate of 'host-b1') admitted for clients 0-1"), e.g. for the terminal. */
    public void onAdmission(java.util.function.Consumer<String> listener) {
        this.onAdmission = listener;
    }

    /** Every admission so far, with the identity of the host's certificate. */
    public List<String> admissions() {
        return List.copyOf(admissions);
    }

    private Admission refuse(ConnectedHost host, String reason, List<InstalledPlugin> missing) {
        LOG.log(Level.WARNING, "host " + host + " refused: " + reason);
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

    /** Whether calls to {@code host} can be answered: it is connected and not silent. */
    boolean reachable(ConnectedHost host) {
        return host.connected() && !unavailable.contains(host);
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

    @Override
    public List<ClientRoundResult> play(int round, boolean[] offline, boolean checkEmpty) {
        confirmDeliveries();
        List<Range> hosts;
        synchronized (this) {
            hosts = List.copyOf(ranges.values());
            played = round;
        }
        List<CompletableFuture<Reply>> replies = new ArrayList<>();
        for (Range r : hosts) {
            if (!reachable(r.host())) {
                if (r.host().connected()) {
                    LOG.log(Level.WARNING, "host " + r.host() + " is silent: its clients " + r.from() + "-" + (r.to() - 1)
                            + " are left out of round " + round);
                }
                replies.add(null);
                continue;
            }
            RunRound.Builder call = RunRound.newBuilder().setRound(round);
            for (int i = r.from(); i < r.to(); i++) {
                call.addClients(ClientTurn.newBuilder().setClientId(ids.get(i)).setOffline(offline[i]));
            }
            double deadline = config.coordinator().roundDeadline();
            replies.add(deadline > 0 ? r.host().call(Call.newBuilder().setRunRound(call).build(),
                    Duration.ofMillis(Math.round(deadline * 1000))) : r.host().call(Call.newBuilder().setRunRound(call).build()));
        }
        List<ClientRoundResult> results = new ArrayList<>(ids.size());
        int exhausted = 0;
        int answered = 0;
        // real clients whose own stream has ended: offline for the rest of the run
        int ended = 0;
        for (int h = 0; h < hosts.size(); h++) {
            Range r = hosts.get(h);
            Reply reply = null;
            if (replies.get(h) != null) {
                try {
                    reply = await(r.host(), replies.get(h), "host " + r.host(), "round " + round);
                } catch (RemoteClient.RemoteFailure e) {
                    if (e.getCause() instanceof TimeoutException) {
                        LOG.log(Level.WARNING, "host " + r.host() + " missed the deadline of round " + round + " ("
                                + config.coordinator().roundDeadline() + " s); its clients " + r.from() + "-" + (r.to() - 1)
                                + " are left out of the round");
                    } else if (e.getCause() instanceof ConnectionLostException || !r.host().connected()) {
                        LOG.log(Level.WARNING, "host " + r.host() + " was lost in round " + round + "; its clients "
                                + r.from() + "-" + (r.to() - 1) + " are left out of the round");
                    } else {
                        throw e;
                    }
                }
            }
            if (reply == null) {
                for (int i = r.from(); i < r.to(); i++) {
                    offline(i, round, offline, results);
                }
                continue;
            }
            answered++;
            if (reply.getRoundResults().getExhausted()) {
                exhausted++;
                if (r.host().hello().hasHosted()) {
                    ended++;
                    if (realClients.ended(r.from())) {
                        LOG.log(Level.INFO, realClients.describe(r.from()) + " (" + ids.get(r.from()) + ") ran out of data in round "
                                + round + ": it is offline for the rest of the run");
                    }
                    offline(r.from(), round, offline, results);
                }
                continue;
            }
            for (var bytes : reply.getRoundResults().getResultsList()) {
                results.add(Codecs.ROUND_RESULT.decode(bytes.toByteArray()));
            }
        }
        if (answered > 0 && exhausted == answered) {
            return null;
        }
        long played = results.stream().filter(r -> !r.offline()).count();
        if (played < config.coordinator().minClients()) {
            throw new UserException("round " + round + ": only " + played + " clients played it (the others' hosts are gone or"
                    + " missed the deadline of " + config.coordinator().roundDeadline() + " s" + (ended > 0 ? ", or their streams ended" : "")
                    + "), fewer than coordinator.minClients = "
                    + config.coordinator().minClients() + "; the run stops. Restart the missing hosts, or lower coordinator.minClients");
        }
        if (exhausted > ended || results.size() != ids.size()) {
            throw new IllegalStateException("the hosts disagree on round " + round + ": " + (exhausted - ended) + " of " + answered
                    + " ran out of data");
        }
        return results;
    }

    /** Client {@code i} is left out of the round: offline, with nothing played. */
    private void offline(int i, int round, boolean[] offline, List<ClientRoundResult> results) {
        offline[i] = true;
        results.add(ClientRoundResult.offline(ids.get(i), clients[i].domain(), round,
                clients[i].schema().numClasses() > 0, 0, new io.scarcity.api.MemoryStats(Map.of(), 0)));
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
     * The held-out task evaluations due after {@code round}: every reachable host scores its clients, and each
     * segment's accuracies are averaged over the domain's clients in client order (the in-process arithmetic,
     * so the numbers are the same bit for bit). A host that is gone leaves its clients out of the average; a
     * segment already reported is not reported again.
     */
    @Override
    public List<TaskEvaluation> evaluateTasks(int round) {
        List<Range> hosts;
        synchronized (this) {
            hosts = List.copyOf(ranges.values());
        }
        List<CompletableFuture<Reply>> replies = new ArrayList<>();
        for (Range r : hosts) {
            replies.add(reachable(r.host()) ? r.host().call(Call.newBuilder().setEvaluateTasks(
                    io.scarcity.network.proto.EvaluateTasks.newBuilder().setRound(round)).build()) : null);
        }
        // per domain, per segment: the task and each client's accuracies by run index
        List<TreeMap<Integer, Scored>> byDomain = new ArrayList<>();
        config.domains().forEach(d -> byDomain.add(new TreeMap<>()));
        for (int h = 0; h < hosts.size(); h++) {
            if (replies.get(h) == null) {
                continue;
            }
            Reply reply;
            try {
                reply = await(hosts.get(h).host(), replies.get(h), "host " + hosts.get(h).host(), "evaluate tasks after round " + round);
            } catch (RemoteClient.RemoteFailure e) {
                if (!(e.getCause() instanceof ConnectionLostException)) {
                    throw e;
                }
                LOG.log(Level.WARNING, "host " + hosts.get(h).host() + " was lost: its clients are left out of the task evaluations of round " + round);
                continue;
            }
            for (io.scarcity.network.proto.SegmentScores seg : reply.getTaskScores().getSegmentsList()) {
                int d = domainIndex(seg.getDomain());
                if (seg.getSegment() < reportedSegments[d]) {
                    continue;
                }
                Scored scored = byDomain.get(d).computeIfAbsent(seg.getSegment(), k -> new Scored(seg.getTask(), new TreeMap<>()));
                for (io.scarcity.network.proto.ClientTaskAccuracy c : seg.getClientsList()) {
                    double[] accuracy = new double[c.getAccuracyCount()];
                    for (int t = 0; t < accuracy.length; t++) {
                        accuracy[t] = c.getAccuracy(t);
                    }
                    scored.byClient().put(ids.indexOf(c.getClientId()), accuracy);
                }
            }
        }
        List<TaskEvaluation> out = new ArrayList<>();
        for (int d = 0; d < byDomain.size(); d++) {
            for (var e : byDomain.get(d).entrySet()) {
                Scored s = e.getValue();
                List<String> clientIds = s.byClient().keySet().stream().map(ids::get).toList();
                out.add(new io.scarcity.runtime.engine.TaskScores(config.domains().get(d).name(), e.getKey(), s.task(), clientIds,
                        s.byClient().values().toArray(double[][]::new)).evaluation(round, clientIds.size()));
                reportedSegments[d] = e.getKey() + 1;
            }
        }
        return out;
    }

    /** A segment's scores gathered from the hosts: its task, and each client's accuracies by run index. */
    private record Scored(int task, TreeMap<Integer, double[]> byClient) {
    }

    private int domainIndex(String domain) {
        for (int d = 0; d < config.domains().size(); d++) {
            if (config.domains().get(d).name().equals(domain)) {
                return d;
            }
        }
        throw new IllegalStateException("a host scored tasks of domain " + domain + ", which the run does not have");
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
    public synchronized int[] segmentsEvaluated() {
        return reportedSegments.clone();
    }

    /**
     * The hosts save their clients' states after the round last played, in their own state folders, all in
     * parallel; the coordinator keeps each state's round and SHA-256 ({@link RemoteClient#saveState}). A client
     * whose host is gone or silent keeps the record of its last saved state.
     */
    synchronized ClientState savedState(int index) throws java.io.IOException {
        if (savedFor != played) {
            List<Range> hosts = List.copyOf(ranges.values());
            List<CompletableFuture<Reply>> replies = new ArrayList<>();
            for (Range r : hosts) {
                replies.add(reachable(r.host()) ? r.host().call(Call.newBuilder().setSaveState(SaveState.newBuilder()
                        .addAllClientIds(ids.subList(r.from(), r.to())).setRound(played)).build()) : null);
            }
            for (int h = 0; h < hosts.size(); h++) {
                Range r = hosts.get(h);
                if (replies.get(h) == null) {
                    LOG.log(Level.WARNING, "host " + r.host() + " is not connected: the checkpoint after round " + played
                            + " keeps the last saved states of its clients " + r.from() + "-" + (r.to() - 1));
                    continue;
                }
                Reply reply;
                try {
                    reply = await(r.host(), replies.get(h), "host " + r.host(), "save its clients' states");
                } catch (RemoteClient.RemoteFailure e) {
                    if (e.getCause() instanceof ConnectionLostException) {
                        LOG.log(Level.WARNING, "host " + r.host() + " was lost while saving: the checkpoint after round " + played
                                + " keeps the last saved states of its clients " + r.from() + "-" + (r.to() - 1));
                        continue;
                    }
                    throw new java.io.IOException(e.getMessage() + "; start the host with a state folder it can write (--state-dir)", e);
                }
                List<ClientState> states = reply.getSavedStates().getClientsList();
                for (int i = r.from(); i < r.to(); i++) {
                    ClientState s = states.size() == r.to() - r.from() ? states.get(i - r.from()) : null;
                    if (s == null || !s.getClientId().equals(ids.get(i))) {
                        throw new java.io.IOException("host " + r.host() + " saved other clients than " + r.from() + "-" + (r.to() - 1));
                    }
                    saved[i] = s;
                }
            }
            savedFor = played;
        }
        return saved[index];
    }

    /** A resume reads the streams again on the hosts: they are told to, with the clients' states, once all are read. */
    @Override
    public synchronized void replay(int round, long[] consumed, long[] digests, int[] segments) throws java.io.IOException {
        if (segments == null || segments.length != reportedSegments.length) {
            throw new java.io.IOException("task evaluations of " + (segments == null ? 0 : segments.length) + " domains saved, the run has "
                    + reportedSegments.length);
        }
        System.arraycopy(segments, 0, reportedSegments, 0, segments.length);
        rewindRound = round;
        restoredClients = 0;
    }

    /**
     * A resume read client {@code index}'s record from the checkpoint; after the last one, every host builds its
     * clients afresh, restores them from its own saved states (checked against the records) and reads its
     * streams again up to the checkpoint's round.
     *
     * @throws java.io.IOException naming the host and what it lacks when a host cannot
     */
    synchronized void restoredState(int index, ClientState record) throws java.io.IOException {
        if (rewindRound < 0) {
            throw new IllegalStateException("a client state restored outside a resume");
        }
        saved[index] = record;
        if (++restoredClients < clients.length) {
            return;
        }
        List<Range> hosts = List.copyOf(ranges.values());
        List<CompletableFuture<Reply>> replies = new ArrayList<>();
        for (Range r : hosts) {
            replies.add(r.host().call(Call.newBuilder().setRewind(Rewind.newBuilder().setRound(rewindRound)
                    .addAllClients(java.util.Arrays.asList(saved).subList(r.from(), r.to()))).build()));
        }
        for (int h = 0; h < hosts.size(); h++) {
            try {
                await(hosts.get(h).host(), replies.get(h), "host " + hosts.get(h).host(), "resume its clients after round " + rewindRound);
            } catch (RemoteClient.RemoteFailure e) {
                throw new java.io.IOException(e.getMessage(), e);
            }
        }
        played = rewindRound;
        savedFor = rewindRound;
        rewindRound = -1;
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
