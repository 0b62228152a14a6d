package io.scarcity.network.federation;

import com.google.protobuf.ByteString;
import io.scarcity.api.ExpertState;
import io.scarcity.api.MetaParameters;
import io.scarcity.network.proto.Call;
import io.scarcity.network.proto.ClientDescription;
import io.scarcity.network.proto.ClientState;
import io.scarcity.network.proto.ClientTurn;
import io.scarcity.network.proto.Done;
import io.scarcity.network.proto.ErrorKind;
import io.scarcity.network.proto.ExpertNames;
import io.scarcity.network.proto.Ready;
import io.scarcity.network.proto.Reply;
import io.scarcity.network.proto.RoundResults;
import io.scarcity.network.proto.SavedStates;
import io.scarcity.network.proto.Welcome;
import io.scarcity.network.transport.CallFailedException;
import io.scarcity.network.transport.HostConnection;
import io.scarcity.network.wire.Codecs;
import io.scarcity.runtime.client.ClientNode;
import io.scarcity.runtime.client.ClientRoundResult;
import io.scarcity.runtime.config.ConfigLoader;
import io.scarcity.runtime.config.LoadedConfig;
import io.scarcity.runtime.engine.Assembly;
import io.scarcity.runtime.engine.LocalFleet;
import io.scarcity.runtime.plugin.PluginRegistry;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A host process's side of the federation, whatever it hosts: on the coordinator's Welcome it builds its
 * clients ({@link #newFleet}: a slice of a simulation, or one real client with its own stream) as a
 * {@link LocalFleet}, describes them in the Ready, and answers the coordinator's calls on them (play a
 * round, apply parameters, export and merge states, gossip sealed with other hosts, through the coordinator
 * or directly ({@link #listenForPeers}), save its clients' states in its own state folder and rewind them to
 * a checkpoint). Rows never leave it.
 */
public abstract class FleetHost implements HostConnection.Handler, AutoCloseable {
    private final PluginRegistry registry;
    private final Path baseDir;
    /** The host's state folder (its own checkpoints), or {@code null} for none. */
    private final Path stateDir;
    private LoadedConfig loaded;
    private String runId;
    private List<String> clientIds;
    private HostCheckpoints checkpoints;
    private LocalFleet fleet;
    private final Map<String, ClientNode> byId = new LinkedHashMap<>();
    /** The last round this host's streams were cut for (a host that joins late skips the rounds before). */
    private int lastRound;
    /** The run's gossip strategy (its merge), when the run gossips. */
    private io.scarcity.api.GossipStrategy gossip;
    /** Signs this host's gossip keys and checks its peers'; null: unsigned ({@code --insecure}). */
    private volatile io.scarcity.network.seal.HostIdentity gossipIdentity;
    /** Sealed gossip of the current connection. */
    private SealedGossipHost sealed;
    /** Gossip straight to and from other hosts (with the current connection's {@link #sealed}). */
    private final DirectGossipHost direct = new DirectGossipHost();

    /**
     * @param baseDir the folder the config's (or the host's own) relative data paths resolve against
     * @param stateDir the host's state folder: its clients' states are saved there at the coordinator's
     *        checkpoints, and restored from there when the host joins the run again; {@code null} for none
     *        (the host's clients then start afresh whenever it joins)
     */
    protected FleetHost(PluginRegistry registry, Path baseDir, Path stateDir) {
        this.registry = registry;
        this.baseDir = baseDir;
        this.stateDir = stateDir;
    }

    /**
     * Builds this host's clients, afresh, from the coordinator's config.
     *
     * @param run the coordinator's config (relative paths against the host's folder)
     * @param clientIds the ids the Welcome gave this host's clients
     * @throws RuntimeException (a config or data error) if they cannot be built; the host then ends its connection
     */
    protected abstract LocalFleet newFleet(LoadedConfig run, List<String> clientIds);

    /**
     * Under secure aggregation a client's state never goes to the coordinator in the clear (weight sharing sums it
     * securely; gossip goes to peers, sealed): a coordinator asking for one is refused.
     */
    private io.scarcity.api.ExpertState refuseUnderSecureAggregation(io.scarcity.api.ExpertState state) {
        if (loaded != null && loaded.config().privacy().secureAggregation().enabled()) {
            throw new CallFailedException(ErrorKind.ERROR_KIND_INVALID_CALL, "this run aggregates securely: a client's state"
                    + " is not sent to the coordinator");
        }
        return state;
    }

    /** The clients, as the name of their folder in the state folder (e.g. {@code clients-0-1}). */
    protected abstract String who();

    /** The clients continuing, for the terminal (e.g. "clients 0-1 continue"). */
    protected abstract String continuing();

    @Override
    public synchronized Ready welcomed(Welcome welcome) throws IOException {
        if (fleet == null || !welcome.getRunId().equals(runId)) {
            loaded = ConfigLoader.parse(welcome.getConfigYaml(), "the coordinator's config", baseDir, Map.of(), List.of());
            runId = welcome.getRunId();
            clientIds = List.copyOf(welcome.getClientIdsList());
            checkpoints = stateDir == null ? null : new HostCheckpoints(stateDir, runId, who(), loaded.config().checkpoint().keep());
            ledgers = checkpoints == null ? null : new HostLedgers(checkpoints.folder());
            build();
            // Joining a run it was part of: the clients continue from the host's own latest checkpoint.
            java.util.OptionalInt latest = checkpoints == null ? java.util.OptionalInt.empty() : checkpoints.latest();
            if (latest.isPresent()) {
                Map<String, HostCheckpoints.Saved> saved = checkpoints.read(latest.getAsInt());
                List<String> missing = HostCheckpoints.missing(saved, fleet.clients());
                if (!missing.isEmpty()) {
                    throw new IOException(checkpoints.file(latest.getAsInt()) + " lacks clients " + missing);
                }
                for (ClientNode c : fleet.clients()) {
                    HostCheckpoints.restore(c, saved.get(c.id()).state());
                }
                restoredRound = latest.getAsInt();
                onRestore.accept(continuing() + " from this host's checkpoint of round " + latest.getAsInt()
                        + " (" + checkpoints.folder() + ")");
            }
            if (ledgers == null && loaded.config().privacy().dp() != null) {
                onRestore.accept("warning: no --state-dir: if this host process is started again, it cannot know what its clients"
                        + " spent of their privacy budgets (privacy.dp) and they start afresh; give it a state folder");
            }
            // what the clients spent of their privacy budgets after that checkpoint stays spent
            if (ledgers != null) {
                Map<String, byte[]> spent = ledgers.read();
                for (ClientNode c : fleet.clients()) {
                    c.keepPrivacyLedger(spent.get(c.id()));
                }
            }
            // the run's gossip strategy with the expert plugins' merge laws, for merging states exchanged with other
            // hosts (its plan runs on the coordinator)
            Assembly assembly = new Assembly(loaded.config(), registry, baseDir);
            gossip = loaded.config().federation().federated()
                    ? assembly.mergeLaws().around(assembly.gossip(new io.scarcity.runtime.client.RunMetricsSink())) : null;
        }
        sealed = new SealedGossipHost(welcome.getRunId(), gossip, this::client, gossipIdentity);
        direct.welcomed(welcome.getRunId(), sealed);
        Ready.Builder ready = Ready.newBuilder().setGossipKey(sealed.key());
        direct.address().ifPresent(ready::setPeerAddress);
        for (ClientNode c : fleet.clients()) {
            ready.addClients(ClientDescription.newBuilder().setId(c.id()).setDomain(c.domain())
                    .setSchema(ByteString.copyFrom(Codecs.SCHEMA.encode(c.schema())))
                    .addAllNotCheckpointable(c.notCheckpointable()));
        }
        return ready.build();
    }

    /** Builds the clients afresh from the welcomed config, their streams at the start. */
    private void build() {
        if (fleet != null) {
            fleet.close();
            byId.clear();
        }
        fleet = newFleet(loaded, clientIds);
        for (ClientNode c : fleet.clients()) {
            byId.put(c.id(), c);
        }
        lastRound = 0;
        restoredRound = 0;
    }

    /**
     * The coordinator resumed after {@code round}: the clients are built afresh, restored from this host's
     * saved states of the rounds the coordinator recorded, and the streams read again up to {@code round}.
     */
    private void rewind(io.scarcity.network.proto.Rewind rewind) throws IOException {
        // what each client has spent of its privacy budget outlives the rebuild: a rewind never gives budget back
        Map<String, byte[]> ledgers = new java.util.HashMap<>();
        for (ClientNode c : byId.values()) {
            byte[] ledger = c.privacyLedger();
            if (ledger != null) {
                ledgers.put(c.id(), ledger);
            }
        }
        build();
        Map<Integer, Map<String, HostCheckpoints.Saved>> byRound = new java.util.HashMap<>();
        List<ClientState> states = rewind.getClientsList();
        if (states.size() != fleet.clients().size()) {
            throw new CallFailedException(ErrorKind.ERROR_KIND_INVALID_CALL, "a rewind of " + states.size()
                    + " clients; this host has " + fleet.clients().size());
        }
        for (ClientState s : states) {
            ClientNode c = client(s.getClientId());
            if (s.getRound() == 0) {
                c.keepPrivacyLedger(ledgers.get(c.id()));
                continue;
            }
            if (checkpoints == null) {
                throw new CallFailedException(ErrorKind.ERROR_KIND_STATE, "the coordinator resumes client " + c.id()
                        + " from its state of round " + s.getRound() + ", and this host keeps no states (no state folder)");
            }
            Map<String, HostCheckpoints.Saved> saved = byRound.get(s.getRound());
            if (saved == null) {
                try {
                    saved = checkpoints.read(s.getRound());
                } catch (IOException e) {
                    throw new CallFailedException(ErrorKind.ERROR_KIND_STATE, "cannot resume client " + c.id() + ": "
                            + e.getMessage() + "; start this host with the --state-dir it had before the coordinator stopped");
                }
                byRound.put(s.getRound(), saved);
            }
            HostCheckpoints.Saved mine = saved.get(c.id());
            if (mine == null || !java.util.Arrays.equals(mine.sha256(), s.getSha256().toByteArray())) {
                throw new CallFailedException(ErrorKind.ERROR_KIND_STATE, "client " + c.id() + "'s saved state of round "
                        + s.getRound() + " in " + checkpoints.file(s.getRound()) + (mine == null ? " is missing"
                        : " is not the one the coordinator's checkpoint recorded (its SHA-256 differs)"));
            }
            HostCheckpoints.restore(c, mine.state());
            c.keepPrivacyLedger(ledgers.get(c.id()));
        }
        for (int k = 1; k <= rewind.getRound(); k++) {
            if (fleet.nextBatches(false) == null) {
                break;
            }
        }
        // the segments learned by the checkpoint's round were evaluated before it
        fleet.skipLearnedTasks();
        lastRound = rewind.getRound();
    }

    @Override
    public synchronized Reply handle(Call call) throws IOException {
        if (fleet == null) {
            throw new CallFailedException(ErrorKind.ERROR_KIND_INVALID_CALL, "a call before the host was welcomed");
        }
        Reply.Builder reply = Reply.newBuilder();
        switch (call.getOpCase()) {
            case RUN_ROUND -> {
                List<ClientTurn> turns = call.getRunRound().getClientsList();
                if (turns.size() != fleet.clients().size()) {
                    throw new CallFailedException(ErrorKind.ERROR_KIND_INVALID_CALL, "a round for " + turns.size()
                            + " clients; this host has " + fleet.clients().size());
                }
                boolean[] offline = new boolean[turns.size()];
                for (int i = 0; i < turns.size(); i++) {
                    if (!turns.get(i).getClientId().equals(fleet.clients().get(i).id())) {
                        throw new CallFailedException(ErrorKind.ERROR_KIND_INVALID_CALL, "client " + turns.get(i).getClientId()
                                + " in place of " + fleet.clients().get(i).id());
                    }
                    offline[i] = turns.get(i).getOffline();
                }
                int round = call.getRunRound().getRound();
                // A host that (re)joins in round r starts its streams where the run is: the rows of the rounds
                // it missed went by unseen, as they would for an offline client.
                boolean skipped = lastRound < round - 1;
                while (lastRound < round - 1) {
                    lastRound++;
                    if (fleet.nextBatches(false) == null) {
                        break;
                    }
                }
                if (skipped) {
                    // the task segments learned while this host was away were evaluated without it
                    fleet.skipLearnedTasks();
                }
                lastRound = round;
                sealed.forgetUnfinished();
                direct.forgetUnfinished();
                List<ClientRoundResult> results = fleet.play(round, offline, round == 1);
                if (ledgers != null) {
                    // on disk before the released insights leave: a host started again keeps these releases spent
                    try {
                        ledgers.save(fleet.clients());
                    } catch (IOException e) {
                        throw new CallFailedException(ErrorKind.ERROR_KIND_STATE, "cannot write the privacy ledgers to "
                                + ledgers.file() + " (" + e.getMessage() + "), so this round's insights are not released; give the"
                                + " host a state folder it can write (--state-dir)");
                    }
                }
                RoundResults.Builder r = RoundResults.newBuilder().setExhausted(results == null);
                if (results != null) {
                    for (ClientRoundResult result : results) {
                        // under DP the coordinator gets what the clients released, nothing computed from their rows besides
                        boolean noised = client(result.clientId()).noisesInsights();
                        r.addResults(ByteString.copyFrom(Codecs.ROUND_RESULT.encode(noised ? result.released() : result)));
                    }
                }
                reply.setRoundResults(r);
            }
            case APPLY_PARAMETERS -> {
                MetaParameters p = Codecs.META_PARAMETERS.decode(call.getApplyParameters().getParameters().toByteArray());
                for (String id : call.getApplyParameters().getClientIdsList()) {
                    client(id).apply(p);
                }
                reply.setDone(Done.getDefaultInstance());
            }
            case GOSSIPABLE_EXPERTS -> reply.setExperts(ExpertNames.newBuilder().addAllExperts(
                    client(call.getGossipableExperts().getClientId()).gossipableExperts(call.getGossipableExperts().getMax())));
            case EXPORT_STATE -> reply.setExpertState(ByteString.copyFrom(Codecs.EXPERT_STATE.encode(refuseUnderSecureAggregation(
                    client(call.getExportState().getClientId()).exportState(call.getExportState().getExpert())))));
            case MERGE_STATE -> {
                ExpertState s = Codecs.EXPERT_STATE.decode(call.getMergeState().getState().toByteArray());
                for (String id : call.getMergeState().getClientIdsList()) {
                    client(id).mergeState(call.getMergeState().getExpert(), s);
                }
                reply.setDone(Done.getDefaultInstance());
            }
            case GET_SIGNALS -> {
                ClientNode c = client(call.getGetSignals().getClientId());
                // under DP the signals are withheld, as in the insights
                reply.setSignals(ByteString.copyFrom(Codecs.SIGNALS.encode(c.noisesInsights() ? Map.of() : c.signals())));
            }
            case SECURE_AGGREGATION -> reply.setSecureAggregation(SecureAggregationWire.answer(
                    client(call.getSecureAggregation().getClientId()), call.getSecureAggregation()));
            case SAVE_STATE -> {
                if (checkpoints == null) {
                    throw new CallFailedException(ErrorKind.ERROR_KIND_STATE, "this host keeps no states (it has no state folder)");
                }
                List<String> ids = call.getSaveState().getClientIdsList();
                if (!ids.equals(fleet.clients().stream().map(ClientNode::id).toList())) {
                    throw new CallFailedException(ErrorKind.ERROR_KIND_INVALID_CALL, "a checkpoint of clients " + ids
                            + "; this host has " + byId.keySet());
                }
                Map<String, HostCheckpoints.Saved> saved = checkpoints.save(call.getSaveState().getRound(), fleet.clients());
                SavedStates.Builder out = SavedStates.newBuilder();
                saved.forEach((id, s) -> out.addClients(ClientState.newBuilder().setClientId(id).setRound(s.round())
                        .setSha256(ByteString.copyFrom(s.sha256()))));
                reply.setSavedStates(out);
            }
            case EVALUATE_TASKS -> {
                io.scarcity.network.proto.TaskScoresList.Builder scores = io.scarcity.network.proto.TaskScoresList.newBuilder();
                for (io.scarcity.runtime.engine.TaskScores t : fleet.scoreTasks()) {
                    io.scarcity.network.proto.SegmentScores.Builder seg = io.scarcity.network.proto.SegmentScores.newBuilder()
                            .setDomain(t.domain()).setSegment(t.segment()).setTask(t.task());
                    for (int c = 0; c < t.clients().size(); c++) {
                        io.scarcity.network.proto.ClientTaskAccuracy.Builder acc = io.scarcity.network.proto.ClientTaskAccuracy.newBuilder()
                                .setClientId(t.clients().get(c));
                        // under DP a client's model is not scored for the coordinator (its accuracy is computed from it)
                        boolean noised = client(t.clients().get(c)).noisesInsights();
                        for (double a : t.accuracy()[c]) {
                            acc.addAccuracy(noised ? Double.NaN : a);
                        }
                        seg.addClients(acc);
                    }
                    scores.addSegments(seg);
                }
                reply.setTaskScores(scores);
            }
            case REWIND -> {
                rewind(call.getRewind());
                reply.setDone(Done.getDefaultInstance());
            }
            case SEAL_GOSSIP -> reply.setSealedStates(sealed.seal(call.getSealGossip()));
            case OPEN_GOSSIP -> {
                sealed.open(call.getOpenGossip());
                reply.setDone(Done.getDefaultInstance());
            }
            case FINISH_GOSSIP -> {
                direct.forget(call.getFinishGossip().getExchange());
                sealed.finish(call.getFinishGossip());
                reply.setDone(Done.getDefaultInstance());
            }
            case GOSSIP_LOCALLY -> reply.setGossipSizes(sealed.local(call.getGossipLocally()));
            case OFFER_DIRECT -> reply.setDirectSizes(direct.offer(call.getOfferDirect()));
            case DIAL_DIRECT -> reply.setDirectSizes(direct.dial(call.getDialDirect()));
            case OPEN_DIRECT -> {
                direct.open(call.getOpenDirect());
                reply.setDone(Done.getDefaultInstance());
            }
            default -> throw new CallFailedException(ErrorKind.ERROR_KIND_UNSUPPORTED, "call " + call.getOpCase() + " is not supported");
        }
        return reply.build();
    }

    /**
     * Signs this host's gossip keys with the TLS identity in {@code tls} and accepts only peers' keys signed by
     * hosts of its CA (mutual TLS); without it (--insecure) keys are unsigned. Before the host connects.
     *
     * @throws java.io.IOException if the TLS files cannot be read or do not fit together
     */
    public void sealGossipWith(io.scarcity.network.transport.TlsFiles tls) throws IOException {
        this.gossipIdentity = io.scarcity.network.seal.HostIdentity.load(tls);
        direct.dialWith(io.scarcity.network.transport.ChannelSecurity.mutualTls(tls));
    }

    /**
     * Serves this host's gossip peers on {@code bindHost:port} (direct gossip: a peer dials it instead of the
     * coordinator relaying the pair) and reports {@code advertise} to the coordinator as the address peers reach it
     * at. {@code security} should be this host's own: with mutual TLS a peer must present the certificate that signed
     * its gossip key, and this host presents the one that signed its own. Peers are dialled with the TLS files of
     * {@link #sealGossipWith} (plaintext without). Before the host connects.
     *
     * @param advertise HOST:PORT peers dial; {@code null}: {@code bindHost} and the port bound
     * @return the address reported to the coordinator
     * @throws IOException if the address cannot be bound or the TLS files cannot be read
     */
    public String listenForPeers(String bindHost, int port, String advertise, io.scarcity.network.transport.ChannelSecurity security)
            throws IOException {
        return direct.listen(bindHost, port, advertise, security);
    }

    private ClientNode client(String id) {
        ClientNode c = byId.get(id);
        if (c == null) {
            throw new CallFailedException(ErrorKind.ERROR_KIND_INVALID_CALL, "this host has no client " + id);
        }
        return c;
    }

    private volatile java.util.function.Consumer<String> onRestore = line -> { };
    /** The round of the host's own checkpoint its clients continued from when it joined; 0 if they started afresh. */
    private int restoredRound;
    /** The clients' privacy ledgers in the state folder (null without one). */
    private HostLedgers ledgers;

    /** Tells {@code listener} when the clients continue from the host's own checkpoint (for the terminal). */
    public void onRestore(java.util.function.Consumer<String> listener) {
        this.onRestore = listener;
    }

    /** The round of the host's own checkpoint its clients continued from when it last joined; 0 if none. */
    public synchronized int restoredRound() {
        return restoredRound;
    }

    private volatile java.util.function.BiConsumer<String, java.time.Duration> onDisconnect = (reason, retryIn) -> { };

    /** Tells {@code listener} each time the connection breaks or cannot be made, and when the host dials again. */
    public void onDisconnect(java.util.function.BiConsumer<String, java.time.Duration> listener) {
        this.onDisconnect = listener;
    }

    @Override
    public void disconnected(String reason, java.time.Duration retryIn) {
        onDisconnect.accept(reason, retryIn);
    }

    /** The clients this host built (after the coordinator's welcome). */
    public synchronized List<ClientNode> clients() {
        return fleet == null ? List.of() : fleet.clients();
    }

    @Override
    public synchronized void close() {
        direct.close();
        if (fleet != null) {
            fleet.close();
        }
    }
}
