package io.scarcity.runtime.engine;

import io.scarcity.api.Batch;
import io.scarcity.api.ConfigException;
import io.scarcity.api.GossipStrategy;
import io.scarcity.api.MetaLearner;
import io.scarcity.api.StateReader;
import io.scarcity.runtime.checkpoint.RunCheckpoints;
import io.scarcity.runtime.checkpoint.Sections;
import io.scarcity.runtime.client.ClientNode;
import io.scarcity.runtime.client.ClientRoundResult;
import io.scarcity.runtime.client.RunMetricsSink;
import io.scarcity.runtime.config.DomainConfig;
import io.scarcity.runtime.config.LoadedConfig;
import io.scarcity.runtime.config.RunConfig;
import io.scarcity.runtime.coordinator.Coordinator;
import io.scarcity.runtime.coordinator.CoordinatorStore;
import io.scarcity.runtime.coordinator.GlobalMemory;
import io.scarcity.runtime.coordinator.InsightValidator;
import io.scarcity.runtime.client.ClientHandle;
import io.scarcity.runtime.federation.ClientHealth;
import io.scarcity.runtime.federation.ConvergenceTracker;
import io.scarcity.runtime.federation.FaultInjector;
import io.scarcity.runtime.federation.RoundDecision;
import io.scarcity.runtime.federation.RoundProtocol;
import io.scarcity.runtime.plugin.PluginRegistry;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * The embedded federation engine: a coordinator with no data source and N clients in one JVM. It is the
 * way a simulation feeds data ({@link DomainFeed}s), injects faults and late joins, and runs the
 * clients' rounds on a thread pool; what the coordinator does with the results, and what it asks of the
 * clients, is the {@link RoundProtocol}, which reaches the clients only through {@link ClientHandle}s.
 * Every random choice is seeded from (run seed, component), and results are gathered in client order,
 * so the same seed gives the same metrics whatever the thread count.
 */
public final class InProcessEngine implements AutoCloseable {
    private static final Logger LOG = System.getLogger("io.scarcity.engine");

    private final RunConfig config;
    /** Where the clients live and how a round reaches them. */
    private ClientFleet fleet;
    /** The fleet when the clients live in this JVM (else null). */
    private LocalFleet local;
    private List<? extends ClientHandle> clients = List.of();
    /** Per client (run order): its domain's config and its index within the domain. */
    private final List<DomainConfig> clientDomain = new ArrayList<>();
    private final List<Integer> clientIndexInDomain = new ArrayList<>();
    private RoundProtocol protocol;
    private MetaLearner metaLearner;
    private GossipStrategy gossip;
    private FaultInjector faults;
    private final RunTotals totals = new RunTotals();
    /** The first round {@link #run} plays: 1, or the round after a restored checkpoint. */
    private int firstRound = 1;
    private RunCheckpoints checkpoints;
    /** Tags this run's insights in a store that other runs may share; kept in checkpoints. */
    private String runId = java.util.UUID.randomUUID().toString();
    private io.scarcity.api.Checkpointable observersState;

    /**
     * Builds every component (validating all plugin names and options) without running anything.
     *
     * @throws ConfigException on a bad config; {@link io.scarcity.runtime.data.DataException} on bad data sources
     */
    public InProcessEngine(LoadedConfig loaded, PluginRegistry registry) {
        this(loaded, registry, (config, assembly, baseDir) -> new LocalFleet(config, assembly, baseDir, 0, config.totalClients()));
    }

    /** Builds the fleet of the run's clients. */
    @FunctionalInterface
    public interface FleetFactory {
        ClientFleet create(RunConfig config, Assembly assembly, Path baseDir);
    }

    /**
     * Builds every component with the clients in the fleet {@code fleets} makes: the same round loop runs
     * a coordinator whose clients live in other processes.
     */
    public InProcessEngine(LoadedConfig loaded, PluginRegistry registry, FleetFactory fleets) {
        this.config = loaded.config();
        Assembly assembly = new Assembly(config, registry, loaded.baseDir());
        assembly.checkNames();
        for (DomainConfig d : config.domains()) {
            for (int j = 0; j < d.clients(); j++) {
                clientDomain.add(d);
                clientIndexInDomain.add(j);
            }
        }
        try {
            this.fleet = fleets.create(config, assembly, loaded.baseDir());
            this.local = fleet instanceof LocalFleet l ? l : null;
            if (fleet.runId() != null) {
                runId = fleet.runId();
            }
            this.clients = fleet.clients();
            if (clients.size() != config.totalClients()) {
                throw new IllegalStateException("the fleet has " + clients.size() + " clients, the config " + config.totalClients());
            }
            RunMetricsSink coordinatorMetrics = new RunMetricsSink();
            this.metaLearner = assembly.metaLearner(coordinatorMetrics);
            Coordinator coordinator = newCoordinator(GlobalMemory.inMemory(config.coordinator().memoryPerDomain()));
            this.gossip = assembly.gossip(coordinatorMetrics);
            List<String> ids = clients.stream().map(ClientHandle::id).toList();
            var c = config.coordinator().convergence();
            this.protocol = new RoundProtocol(config.federation(), coordinator, gossip,
                    new ClientHealth(ids, config.coordinator().heartbeatTimeout(), config.coordinator().reliabilityWindow()),
                    new ConvergenceTracker(c.lossSpread(), c.parameterChange(), c.patience()), coordinatorMetrics, ids);
            protocol.mergeBy(assembly.mergeLaws());
            if (config.privacy().secureAggregation().enabled()) {
                protocol.aggregateMomentsSecurely(config.privacy().secureAggregation(), config.seed());
            }
            if (fleet instanceof io.scarcity.runtime.federation.GossipExchange exchange) {
                protocol.useExchange(exchange);
            }
            this.faults = new FaultInjector(clients.size(), config.faults().offlineRate(), config.faults().offlineRounds(),
                    Seeds.derive(config.seed(), "faults"));
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    /** Clients in order (domain by domain), when they live in this JVM. */
    public List<ClientNode> clients() {
        if (local == null) {
            throw new IllegalStateException("the clients of this engine live in other processes");
        }
        return List.copyOf(local.clients());
    }

    /**
     * Plugins that cannot be checkpointed (they do not implement {@link io.scarcity.api.Checkpointable}),
     * described for the user; empty when the whole run can be.
     */
    public List<String> notCheckpointable() {
        java.util.Set<String> out = new java.util.LinkedHashSet<>();
        for (ClientHandle c : clients) {
            out.addAll(c.notCheckpointable());
        }
        if (!protocol.coordinator().checkpointable()) {
            out.add("meta-learner '" + config.metaLearner().plugin() + "'");
        }
        if (!(gossip instanceof io.scarcity.api.Checkpointable)) {
            out.add("gossip strategy '" + config.gossip().plugin() + "'");
        }
        return List.copyOf(out);
    }

    /**
     * Takes a checkpoint into {@code checkpoints} after every round the config's {@code checkpoint.every}
     * names, with {@code observers} (e.g. the summary being accumulated) saved alongside.
     *
     * @throws IllegalStateException if some plugin cannot be checkpointed (see {@link #notCheckpointable})
     */
    public void checkpointInto(RunCheckpoints checkpoints, io.scarcity.api.Checkpointable observers) {
        if (!notCheckpointable().isEmpty()) {
            throw new IllegalStateException("cannot checkpoint: " + String.join(", ", notCheckpointable()));
        }
        this.checkpoints = Objects.requireNonNull(checkpoints, "checkpoints is null");
        this.observersState = Objects.requireNonNull(observers, "observers is null");
    }

    /**
     * Restores a checkpoint into this freshly built engine (before {@link #run}), which then continues with
     * the round after it: every client, the coordinator's side of the protocol, the fault state and the
     * run's totals come from the checkpoint, {@code observers} too; the data streams are read again up to
     * where they were (they are deterministic for a seed), and checked against the checkpoint's positions.
     *
     * @throws io.scarcity.runtime.UserException if the checkpoint does not fit this run
     */
    public void restore(RunCheckpoints.Checkpoint checkpoint, io.scarcity.api.Checkpointable observers) {
        try (var in = checkpoint.open()) {
            StateReader r = new StateReader(in);
            runId = r.readString();
            protocol.coordinator().memory().useRun(runId);
            int round = r.readInt();
            if (round != checkpoint.round()) {
                throw new java.io.IOException("the state file is of round " + round + ", its folder says " + checkpoint.round());
            }
            long[] consumed = r.readLongs();
            long[] digests = r.readLongs();
            totals.restoreState(r);
            int[] segments = r.readInts();
            fleet.replay(round, consumed, digests, segments);
            faults.restoreState(r);
            protocol.restoreState(r);
            int n = r.readInt();
            if (n != clients.size()) {
                throw new java.io.IOException("the checkpoint has " + n + " clients, the run has " + clients.size());
            }
            for (ClientHandle c : clients) {
                c.restoreState(r);
            }
            Sections.read(r, "run outputs", observers);
            if (in.read() != -1) {
                throw new java.io.IOException("unexpected bytes after the end of the state");
            }
            if (totals.stopReason != null) {
                throw new io.scarcity.runtime.UserException(checkpoint.folder().getParent().getParent()
                        + " has nothing left to run: it stopped (" + totals.stopReason + ")");
            }
            firstRound = round + 1;
            LOG.log(Level.INFO, "resumed from the checkpoint after round " + round + " (" + checkpoint.folder() + ")");
        } catch (java.io.IOException | RuntimeException e) {
            if (e instanceof io.scarcity.runtime.UserException ue) {
                throw ue;
            }
            throw new io.scarcity.runtime.UserException("cannot resume from " + checkpoint.folder() + ": " + e.getMessage()
                    + "; the checkpoint does not fit this run (were the config, the plugins or the data changed?)");
        }
    }

    /** Writes the checkpoint of a completed round. */
    private void checkpoint(int round, RunObserver observer) {
        observer.beforeCheckpoint(round);
        checkpoints.write(round, out -> {
            out.writeString(runId);
            out.writeInt(round);
            out.writeLongs(fleet.consumed());
            out.writeLongs(fleet.digests());
            totals.saveState(out);
            out.writeInts(fleet.segmentsEvaluated());
            faults.saveState(out);
            protocol.saveState(out);
            out.writeInt(clients.size());
            for (ClientHandle c : clients) {
                c.saveState(out);
            }
            Sections.write(out, "run outputs", observersState);
        });
    }

    /**
     * Runs every round (or until all data is exhausted), reporting each to {@code observer}. A round: the
     * feeds cut every client's batches, the fault injector and late joins decide who is offline, the clients
     * run on the thread pool, the {@link RoundProtocol} decides and delivers, the observer hears the round.
     */
    public RunResult run(RunObserver observer) {
        Objects.requireNonNull(observer, "observer is null");
        long start = System.nanoTime() - totals.elapsedNanos;
        if (firstRound == 1) {
            // Cold start: every client begins from what the coordinator knows (nothing yet, or a pooled guess).
            for (int i = 0; i < clients.size(); i++) {
                if (!joinsLate(i)) {
                    protocol.welcome(clients.get(i));
                }
            }
        }
        int completed = firstRound - 1;
        String stopReason = "completed";
        for (int round = firstRound; round <= config.rounds(); round++) {
            boolean[] offline = whoIsOffline(round);
            List<ClientRoundResult> results = fleet.play(round, offline, round == 1 && firstRound == 1);
            if (results == null) {
                stopReason = "data exhausted after round " + (round - 1);
                LOG.log(Level.INFO, stopReason);
                break;
            }
            long[] bytes = new long[clients.size()];
            int[] partners = new int[clients.size()];
            RoundDecision decision;
            long gossipBytes;
            try {
                decision = protocol.decide(round, clients, results, offline, bytes);
                observer.roundDecided(round);
                gossipBytes = protocol.deliver(decision, clients, bytes, partners);
            } catch (RuntimeException | LinkageError | StackOverflowError e) {
                throw io.scarcity.runtime.RoundFailure.wrap(e, round, null);
            }
            totals.add(round, results, gossipBytes);
            completed = round;
            observer.roundCompleted(round, config.rounds(), results,
                    new RunObserver.RoundExtras(bytes, partners, gossipBytes, protocol.coordinator().rejected(),
                            protocol.coordinatorMetrics().drain(), decision.health()));
            for (TaskEvaluation e : fleet.evaluateTasks(round)) {
                totals.evaluations.add(e);
                observer.tasksEvaluated(e);
            }
            boolean stop = decision.health().converged() && config.coordinator().convergence().stop();
            if (stop) {
                // decided before the checkpoint and kept in it, so that a resume does not play on
                totals.stopReason = "converged after round " + round;
            }
            if (checkpoints != null && (config.checkpoint().dueAfter(round) || stop)) {
                totals.elapsedNanos = System.nanoTime() - start;
                checkpoint(round, observer);
            }
            if (stop) {
                stopReason = totals.stopReason;
                LOG.log(Level.INFO, stopReason);
                break;
            }
        }
        fleet.logQuarantine();
        return new RunResult(completed, stopReason, totals.rows, totals.correct, totals.lossSum, totals.accuracyByDomain(),
                injectedDrifts(), totals.detected, quarantined(), new TreeMap<>(totals.filtered),
                protocol.coordinator().memory().accepted(), protocol.coordinator().rejected(), totals.gossipBytes,
                List.copyOf(totals.evaluations), System.nanoTime() - start, routingTotals());
    }

    /** Per client, whether it is offline this round (injected fault, or not yet joined); late joiners are welcomed. */
    private boolean[] whoIsOffline(int round) {
        boolean[] offline = faults.offline(round);
        for (int i = 0; i < clients.size(); i++) {
            DomainConfig d = clientDomain.get(i);
            int index = clientIndexInDomain.get(i);
            if (d.notYetJoined(index, round)) {
                offline[i] = true;
            } else if (d.joinsLate(index) && round == d.late().round() && d.late().warm()) {
                // A late client's first round: it starts from what the coordinator knows.
                protocol.welcome(clients.get(i));
            }
        }
        return offline;
    }

    /** What the routers did so far, over all clients. */
    public RoutingTotals routingTotals() {
        return new RoutingTotals(totals.expertBatches, totals.idleExpertBatches, totals.activations);
    }

    /** Per domain: rows that row filters (e.g. governance rules) kept out of the pipeline so far. */
    public Map<String, Long> filteredRows() {
        return new TreeMap<>(totals.filtered);
    }

    /** Drift positions the sources declare, per domain, as {@code stream row -> round it falls in}. */
    public Map<String, Map<Long, Integer>> injectedDrifts() {
        return fleet.injectedDrifts();
    }

    /** Counters of the coordinator-side plugins (meta-learner, gossip) summed over the run. */
    public Map<String, Double> coordinatorTotals() {
        return protocol.coordinatorMetrics().totals();
    }

    private boolean joinsLate(int i) {
        return clientDomain.get(i).joinsLate(clientIndexInDomain.get(i));
    }

    private Coordinator newCoordinator(GlobalMemory memory) {
        java.util.Set<String> experts = new java.util.TreeSet<>();
        config.experts().forEach(e -> experts.add(e.instanceName()));
        Coordinator c = new Coordinator(memory, metaLearner, System.getLogger("io.scarcity.coordinator"),
                new InsightValidator(experts, config.coordinator().maxInsightBytes()));
        c.memory().useRun(runId);
        return c;
    }

    /**
     * Moves the coordinator's global memory to the store the config names (before {@link #run}): by
     * default an SQLite file {@code coordinator.db} in {@code runDir}; {@code memory} keeps it in this
     * process. Every insight accepted from then on is committed before the round goes on. The fleet is told
     * the run folder too ({@link ClientFleet#useRunFolder}).
     *
     * @throws io.scarcity.runtime.UserException if the database cannot be opened
     */
    public void openStore(Path runDir) {
        fleet.useRunFolder(runDir);
        var store = config.coordinator().store();
        if (CoordinatorStore.inProcess(store)) {
            return;
        }
        CoordinatorStore.check(store);
        GlobalMemory previous = protocol.coordinator().memory();
        protocol.useCoordinator(newCoordinator(CoordinatorStore.open(store, runDir, config.coordinator().memoryPerDomain())));
        previous.close();
    }

    /**
     * Checks, without creating anything, that the configured store can be reached (see
     * {@link CoordinatorStore#check}). {@code runDir} may be {@code null} (validation before a run folder exists).
     *
     * @throws io.scarcity.runtime.UserException naming the problem and the key to fix
     */
    public void checkStore(Path runDir) {
        CoordinatorStore.check(config.coordinator().store());
    }

    /** Records the coordinator's joins, insights, broadcasts and round decisions in {@code trail} (before {@link #run}). */
    public void audit(io.scarcity.runtime.audit.AuditTrail trail) {
        protocol.audit(trail);
        fleet.audit(trail);
    }

    /** Quarantined rows per domain so far (sources configured to quarantine). */
    public Map<String, Long> quarantined() {
        return fleet.quarantined();
    }

    @Override
    public void close() {
        if (protocol != null) {
            try {
                protocol.coordinator().memory().close();
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "closing the coordinator's store failed", e);
            }
        }
        if (fleet != null) {
            fleet.close();
        }
    }
}
