package io.scarcity.runtime.engine;

import io.scarcity.api.Batch;
import io.scarcity.api.ConfigException;
import io.scarcity.api.DataSchema;
import io.scarcity.api.ExpertState;
import io.scarcity.api.GossipPair;
import io.scarcity.api.GossipStrategy;
import io.scarcity.api.Insight;
import io.scarcity.api.MetaLearner;
import io.scarcity.api.MetaParameters;
import io.scarcity.api.Peer;
import io.scarcity.api.Prediction;
import io.scarcity.api.PluginConfig;
import io.scarcity.runtime.checkpoint.RunCheckpoints;
import io.scarcity.runtime.client.ClientNode;
import io.scarcity.runtime.client.ClientRoundResult;
import io.scarcity.runtime.client.ExpertSlot;
import io.scarcity.runtime.client.RunMetricsSink;
import io.scarcity.runtime.config.DomainConfig;
import io.scarcity.runtime.config.LoadedConfig;
import io.scarcity.runtime.config.RunConfig;
import io.scarcity.runtime.coordinator.Coordinator;
import io.scarcity.runtime.coordinator.CoordinatorDatabase;
import io.scarcity.runtime.coordinator.GlobalMemory;
import io.scarcity.runtime.coordinator.GlobalMemoryException;
import io.scarcity.runtime.coordinator.InsightValidator;
import io.scarcity.runtime.data.Partitioner;
import io.scarcity.runtime.data.PartitionerFactory;
import io.scarcity.runtime.data.Row;
import io.scarcity.runtime.data.RowSource;
import io.scarcity.runtime.data.TaskStream;
import io.scarcity.runtime.federation.ClientHealth;
import io.scarcity.runtime.federation.ConsensusWeights;
import io.scarcity.runtime.federation.ConvergenceTracker;
import io.scarcity.runtime.federation.FaultInjector;
import io.scarcity.runtime.data.StreamFactory;
import io.scarcity.runtime.plugin.PluginRegistry;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The embedded federation engine: a coordinator with no data source and N clients in one JVM, clients
 * running in parallel on a thread pool. Each round: clients test-then-train on their batches and send
 * insights; the coordinator stores them, meta-learns and broadcasts meta-parameters; peers gossip
 * expert states directly. Every random choice is seeded from (run seed, component), and results are
 * gathered in client order, so the same seed gives the same metrics whatever the thread count.
 */
public final class InProcessEngine implements AutoCloseable {
    private static final Logger LOG = System.getLogger("io.scarcity.engine");

    private final RunConfig config;
    private final List<DomainFeed> feeds = new ArrayList<>();
    private final List<List<ClientNode>> clientsByDomain = new ArrayList<>();
    /** Per client (engine order): its domain's config and its index within the domain. */
    private final List<DomainConfig> clientDomain = new ArrayList<>();
    private final List<Integer> clientIndexInDomain = new ArrayList<>();
    private final List<Integer> segmentsEvaluated = new ArrayList<>();
    private final List<ClientNode> clients = new ArrayList<>();
    private final Map<String, Integer> clientIndex = new HashMap<>();
    private Coordinator coordinator;
    private final GossipStrategy gossip;
    private final RunMetricsSink coordinatorMetrics = new RunMetricsSink();
    private MetaLearner metaLearner;
    private ClientHealth health;
    private FaultInjector faults;
    private ConvergenceTracker convergence;
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
        this.config = loaded.config();
        Assembly assembly = new Assembly(config, registry, loaded.baseDir());
        assembly.checkNames();
        try {
            for (int i = 0; i < config.domains().size(); i++) {
                DomainConfig d = config.domains().get(i);
                PluginConfig streamConfig = PluginConfig.of("domains[" + i + "].stream", d.stream());
                RowSource source = StreamFactory.create(streamConfig, Seeds.derive(config.seed(), "stream/" + d.name()),
                        loaded.baseDir());
                rejectUnread(streamConfig, "stream type");
                PluginConfig partitionConfig = PluginConfig.of("domains[" + i + "].partition", d.partition());
                Partitioner partitioner = PartitionerFactory.create(partitionConfig, d.clients(), source,
                        Seeds.derive(config.seed(), "partition/" + d.name()));
                rejectUnread(partitionConfig, "partitioner");
                boolean natural = "natural".equals(d.partition().get("type"));
                feeds.add(new DomainFeed(d.name(), source, partitioner, d.clients(), config.batchSize(),
                        d.batchesPerRound(config.batchesPerRound()), natural));
                segmentsEvaluated.add(0);
                List<ClientNode> domainClients = new ArrayList<>();
                for (int j = 0; j < d.clients(); j++) {
                    ClientNode c = assembly.client(d.name() + "-" + j, d.name(), source.schema());
                    clientIndex.put(c.id(), clients.size());
                    clients.add(c);
                    clientDomain.add(d);
                    clientIndexInDomain.add(j);
                    domainClients.add(c);
                }
                clientsByDomain.add(domainClients);
            }
            this.metaLearner = assembly.metaLearner(coordinatorMetrics);
            this.coordinator = newCoordinator(GlobalMemory.inMemory(config.coordinator().memoryPerDomain()));
            coordinator.memory().useRun(runId);
            this.gossip = assembly.gossip(coordinatorMetrics);
            this.health = new ClientHealth(clients.stream().map(ClientNode::id).toList(),
                    config.coordinator().heartbeatTimeout(), config.coordinator().reliabilityWindow());
            this.faults = new FaultInjector(clients.size(), config.faults().offlineRate(), config.faults().offlineRounds(),
                    Seeds.derive(config.seed(), "faults"));
            var c = config.coordinator().convergence();
            this.convergence = new ConvergenceTracker(c.lossSpread(), c.parameterChange(), c.patience());
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    private static void rejectUnread(PluginConfig pc, String what) {
        if (!pc.unreadKeys().isEmpty()) {
            String first = pc.unreadKeys().iterator().next();
            throw new ConfigException(first, "unknown key for this " + what + "; keys it reads here: "
                    + String.join(", ", pc.askedKeysAround(first)));
        }
    }

    /** Clients in order (domain by domain). */
    public List<ClientNode> clients() {
        return List.copyOf(clients);
    }

    /**
     * Plugins that cannot be checkpointed (they do not implement {@link io.scarcity.api.Checkpointable}),
     * described for the user; empty when the whole run can be.
     */
    public List<String> notCheckpointable() {
        java.util.Set<String> out = new java.util.LinkedHashSet<>();
        for (ClientNode c : clients) {
            out.addAll(c.notCheckpointable());
        }
        if (!coordinator.checkpointable()) {
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
     * the round after it: every client, the coordinator, the gossip strategy, the health and fault state
     * and the run's totals come from the checkpoint, {@code observers} too; the data streams are read
     * again up to where they were (they are deterministic for a seed), and checked against the
     * checkpoint's positions.
     *
     * @throws io.scarcity.runtime.UserException if the checkpoint does not fit this run
     */
    public void restore(RunCheckpoints.Checkpoint checkpoint, io.scarcity.api.Checkpointable observers) {
        try (var in = checkpoint.open()) {
            io.scarcity.api.StateReader r = new io.scarcity.api.StateReader(in);
            runId = r.readString();
            coordinator.memory().useRun(runId);
            int round = r.readInt();
            if (round != checkpoint.round()) {
                throw new java.io.IOException("the state file is of round " + round + ", its folder says " + checkpoint.round());
            }
            long[] consumed = r.readLongs();
            long[] digests = r.readLongs();
            if (consumed == null || consumed.length != feeds.size()) {
                throw new java.io.IOException("the checkpoint has " + (consumed == null ? 0 : consumed.length)
                        + " domains, the run has " + feeds.size());
            }
            for (int k = 1; k <= round; k++) {
                for (DomainFeed f : feeds) {
                    f.nextRound();
                }
            }
            for (int i = 0; i < feeds.size(); i++) {
                if (feeds.get(i).consumed() != consumed[i] || digests == null || digests.length != feeds.size()
                        || feeds.get(i).digest() != digests[i]) {
                    throw new java.io.IOException("domain " + feeds.get(i).domain() + " had read " + consumed[i]
                            + " rows by round " + round + "; reading them again gives " + feeds.get(i).consumed()
                            + (feeds.get(i).consumed() == consumed[i] ? " rows with other values" : " rows")
                            + ": its data changed since the run started");
                }
            }
            totals.restoreState(r);
            int[] segments = r.readInts();
            if (segments == null || segments.length != segmentsEvaluated.size()) {
                throw new java.io.IOException("task evaluations of " + (segments == null ? 0 : segments.length) + " domains saved");
            }
            for (int i = 0; i < segments.length; i++) {
                segmentsEvaluated.set(i, segments[i]);
            }
            coordinatorMetrics.restoreState(r);
            health.restoreState(r);
            faults.restoreState(r);
            convergence.restoreState(r);
            coordinator.restoreState(r);
            io.scarcity.runtime.checkpoint.Sections.read(r, "gossip strategy", gossip);
            int n = r.readInt();
            if (n != clients.size()) {
                throw new java.io.IOException("the checkpoint has " + n + " clients, the run has " + clients.size());
            }
            for (ClientNode c : clients) {
                c.restoreState(r);
            }
            io.scarcity.runtime.checkpoint.Sections.read(r, "run outputs", observers);
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
            long[] consumed = new long[feeds.size()];
            for (int i = 0; i < feeds.size(); i++) {
                consumed[i] = feeds.get(i).consumed();
            }
            out.writeLongs(consumed);
            long[] digests = new long[feeds.size()];
            for (int i = 0; i < feeds.size(); i++) {
                digests[i] = feeds.get(i).digest();
            }
            out.writeLongs(digests);
            totals.saveState(out);
            out.writeInts(segmentsEvaluated.stream().mapToInt(Integer::intValue).toArray());
            coordinatorMetrics.saveState(out);
            health.saveState(out);
            faults.saveState(out);
            convergence.saveState(out);
            coordinator.saveState(out);
            io.scarcity.runtime.checkpoint.Sections.write(out, "gossip strategy", gossip);
            out.writeInt(clients.size());
            for (ClientNode c : clients) {
                c.saveState(out);
            }
            io.scarcity.runtime.checkpoint.Sections.write(out, "run outputs", observersState);
        });
    }

    /** Runs every round (or until all data is exhausted), reporting each to {@code observer}. */
    public RunResult run(RunObserver observer) {
        Objects.requireNonNull(observer, "observer is null");
        long start = System.nanoTime() - totals.elapsedNanos;
        if (firstRound == 1) {
            // Cold start: every client begins from what the coordinator knows (nothing yet, or a pooled guess).
            for (int i = 0; i < clients.size(); i++) {
                if (!lateIndex(i)) {
                    warmStart(clients.get(i), null);
                }
            }
        }
        Map<String, Map<Long, Integer>> injected = injectedDrifts();
        Map<String, List<Integer>> detected = totals.detected;
        Map<String, double[]> domainAcc = totals.domainAcc;
        List<TaskEvaluation> evaluations = totals.evaluations;
        int threads = config.threads() == 0 ? Runtime.getRuntime().availableProcessors() : config.threads();
        ExecutorService pool = threads > 1 ? Executors.newFixedThreadPool(threads, daemonThreads()) : null;
        int completed = firstRound - 1;
        String stopReason = "completed";
        try {
            for (int round = firstRound; round <= config.rounds(); round++) {
                List<List<Batch>> work = new ArrayList<>(clients.size());
                boolean any = false;
                for (DomainFeed f : feeds) {
                    List<List<Batch>> perClient = f.nextRound();
                    for (List<Batch> b : perClient) {
                        any |= !b.isEmpty();
                    }
                    work.addAll(perClient);
                }
                if (!any && round == 1 && firstRound == 1) {
                    throw new io.scarcity.runtime.data.DataException("no data: the streams of every domain are empty "
                            + "(quarantined rows per domain: " + quarantined() + "); check the data files, "
                            + "or their onInvalid/length settings");
                }
                if (!any) {
                    stopReason = "data exhausted after round " + (round - 1);
                    LOG.log(Level.INFO, stopReason);
                    break;
                }
                boolean[] offline = faults.offline(round);
                for (int i = 0; i < clients.size(); i++) {
                    DomainConfig d = domainOfClient(i);
                    int index = indexInDomain(i);
                    if (d.notYetJoined(index, round)) {
                        offline[i] = true;
                    } else if (d.joinsLate(index) && round == d.late().round() && d.late().warm()) {
                        // A late client's first round: it starts from what the coordinator knows.
                        warmStart(clients.get(i), null);
                    }
                }
                List<ClientRoundResult> results = runClients(pool, round, work, offline);
                long[] bytes = new long[clients.size()];
                int[] partners = new int[clients.size()];
                long gossipBytes = 0;
                List<Insight> insights = new ArrayList<>(results.size());
                for (int i = 0; i < results.size(); i++) {
                    Insight in = results.get(i).insight();
                    if (in != null) {
                        // The insight doubles as the client's heartbeat.
                        health.heartbeat(clients.get(i).id(), round);
                        insights.add(in);
                    }
                }
                List<String> dropped = new ArrayList<>();
                boolean[] live = new boolean[clients.size()];
                for (int i = 0; i < clients.size(); i++) {
                    boolean silent = health.dropped(clients.get(i).id(), round);
                    live[i] = !offline[i] && !silent;
                    if (silent) {
                        dropped.add(clients.get(i).id());
                    }
                }
                Map<String, Double> weights = ConsensusWeights.of(insights,
                        clients.stream().map(ClientNode::id).toList(), health, round);
                Map<String, MetaParameters> params = Map.of();
                if (config.federation().federated()) {
                    for (int i = 0; i < results.size(); i++) {
                        if (results.get(i).insight() != null) {
                            bytes[i] += results.get(i).insight().sizeBytes();
                        }
                    }
                    if (metaLearner.sharesWeights()) {
                        uploadStates(round, results, bytes);
                    }
                    params = coordinator.endRound(round, insights, weights);
                    TestHooks.haltIfAsked(round);
                    if (metaLearner.sharesWeights()) {
                        for (int i = 0; i < clients.size(); i++) {
                            if (live[i]) {
                                adoptStates(clients.get(i), bytes);
                            }
                        }
                    }
                    for (ClientNode c : clients) {
                        MetaParameters p = params.get(c.domain());
                        if (p != null && live[clientIndex.get(c.id())]) {
                            c.apply(p);
                        }
                    }
                    gossipBytes = gossip(round, bytes, partners, live);
                } else if (config.federation().fedavg()) {
                    gossipBytes = averageWeights(bytes, live);
                }
                boolean converged = convergence.observe(insights, params);
                totals.gossipBytes += gossipBytes;
                for (ClientRoundResult r : results) {
                    totals.rows += r.rows();
                    if (r.filteredRows() > 0) {
                        totals.filtered.merge(r.domain(), r.filteredRows(), Long::sum);
                    }
                    totals.correct += r.correct();
                    totals.lossSum += r.lossSum();
                    totals.expertBatches += r.metrics().expertBatches();
                    totals.idleExpertBatches += r.metrics().idleExpertBatches();
                    r.metrics().routed().forEach((expert, n) -> totals.activations.merge(expert, n, Long::sum));
                    double[] acc = domainAcc.computeIfAbsent(r.domain(), k -> new double[3]);
                    acc[0] += r.classification() ? r.correct() : r.lossSum();
                    acc[1] += r.rows();
                    acc[2] = r.classification() ? 1 : 0;
                    if (!r.driftRows().isEmpty()) {
                        detected.computeIfAbsent(r.clientId(), k -> new ArrayList<>()).add(round);
                    }
                }
                completed = round;
                List<String> offlineIds = new ArrayList<>();
                for (int i = 0; i < clients.size(); i++) {
                    if (offline[i]) {
                        offlineIds.add(clients.get(i).id());
                    }
                }
                observer.roundCompleted(round, config.rounds(), results,
                        new RunObserver.RoundExtras(bytes, partners, gossipBytes, coordinator.rejected(), coordinatorMetrics.drain(),
                                new RunObserver.Health(offlineIds, dropped, weights, convergence.lossSpread(),
                                        convergence.parameterChange(), converged)));
                for (TaskEvaluation e : evaluateTasks(round)) {
                    evaluations.add(e);
                    observer.tasksEvaluated(e);
                }
                boolean stop = converged && config.coordinator().convergence().stop();
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
        } finally {
            if (pool != null) {
                pool.shutdownNow();
            }
        }
        Map<String, Long> quarantined = quarantined();
        for (int i = 0; i < feeds.size(); i++) {
            RowSource s = feeds.get(i).source();
            if (s.quarantined() > 0) {
                LOG.log(Level.WARNING, "domain " + config.domains().get(i).name() + ": " + s.quarantined()
                        + " rows quarantined (skipped, not trained on); first reasons: " + String.join(" | ", s.quarantineSamples()));
            }
        }
        Map<String, double[]> accuracy = new TreeMap<>();
        domainAcc.forEach((d, a) -> accuracy.put(d, new double[] {
            a[1] == 0 ? Double.NaN : a[2] == 1 ? a[0] / a[1] : Math.sqrt(a[0] / a[1]), a[1], a[2]}));
        return new RunResult(completed, stopReason, totals.rows, totals.correct, totals.lossSum, accuracy, injected, detected,
                quarantined, new TreeMap<>(totals.filtered), coordinator.memory().accepted(), coordinator.rejected(), totals.gossipBytes, List.copyOf(evaluations),
                System.nanoTime() - start, routingTotals());
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
        Map<String, Map<Long, Integer>> injected = new TreeMap<>();
        for (int i = 0; i < feeds.size(); i++) {
            DomainFeed f = feeds.get(i);
            Map<Long, Integer> m = new LinkedHashMap<>();
            for (long pos : f.source().driftPositions()) {
                m.put(pos, (int) (pos / f.rowsPerRound()) + 1);
            }
            injected.put(config.domains().get(i).name(), m);
        }
        return injected;
    }

    /** Counters of the coordinator-side plugins (meta-learner, gossip) summed over the run. */
    public Map<String, Double> coordinatorTotals() {
        return coordinatorMetrics.totals();
    }

    private List<ClientRoundResult> runClients(ExecutorService pool, int round, List<List<Batch>> work, boolean[] offline) {
        List<ClientRoundResult> results = new ArrayList<>(clients.size());
        if (pool == null) {
            for (int i = 0; i < clients.size(); i++) {
                results.add(offline[i] ? offlineResult(i, round, work.get(i)) : clients.get(i).runRound(round, work.get(i)));
            }
            return results;
        }
        List<Future<ClientRoundResult>> futures = new ArrayList<>(clients.size());
        for (int i = 0; i < clients.size(); i++) {
            ClientNode c = clients.get(i);
            List<Batch> b = work.get(i);
            int index = i;
            futures.add(pool.submit(() -> offline[index] ? offlineResult(index, round, b) : c.runRound(round, b)));
        }
        for (Future<ClientRoundResult> f : futures) {
            try {
                results.add(f.get());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while clients were running", e);
            } catch (ExecutionException e) {
                Throwable cause = e.getCause();
                if (cause instanceof RuntimeException re) {
                    throw re;
                }
                if (cause instanceof Error err) {
                    throw err;
                }
                throw new IllegalStateException(cause);
            }
        }
        return results;
    }

    private DomainConfig domainOfClient(int i) {
        return clientDomain.get(i);
    }

    private int indexInDomain(int i) {
        return clientIndexInDomain.get(i);
    }

    private boolean lateIndex(int i) {
        return domainOfClient(i).joinsLate(indexInDomain(i));
    }

    /** Meta-parameters (and shared states, for weight-sharing meta-learners) for a client starting now. */
    private void warmStart(ClientNode c, long[] bytes) {
        c.apply(coordinator.parametersFor(c.domain(), c.schema().numFeatures()));
        if (config.federation().federated() && metaLearner.sharesWeights()) {
            adoptStates(c, bytes);
        }
    }

    private Coordinator newCoordinator(GlobalMemory memory) {
        java.util.Set<String> experts = new java.util.TreeSet<>();
        config.experts().forEach(e -> experts.add(e.instanceName()));
        return new Coordinator(memory, metaLearner, System.getLogger("io.scarcity.coordinator"),
                new InsightValidator(experts, config.coordinator().maxInsightBytes()));
    }

    /**
     * Moves the coordinator's global memory to the store the config names (before {@link #run}): by
     * default an SQLite file {@code coordinator.db} in {@code runDir}; {@code memory} keeps it in this
     * process. Every insight accepted from then on is committed before the round goes on.
     *
     * @throws io.scarcity.runtime.UserException if the database cannot be opened
     */
    public void openStore(Path runDir) {
        var store = config.coordinator().store();
        if (store.url().equals("memory")) {
            return;
        }
        CoordinatorDatabase db = store.url().equals("sqlite") ? CoordinatorDatabase.sqlite(runDir.resolve("coordinator.db"))
                : store.url().startsWith("jdbc:sqlite:") ? CoordinatorDatabase.sqlite(Path.of(store.url().substring("jdbc:sqlite:".length())))
                : store.schema().isEmpty() ? CoordinatorDatabase.postgresql(store.url(), store.user(), store.password())
                : CoordinatorDatabase.postgresql(store.url(), store.user(), store.password()).inSchema(store.schema());
        checkStore(runDir);
        try {
            GlobalMemory previous = coordinator.memory();
            coordinator = newCoordinator(GlobalMemory.open(db, config.coordinator().memoryPerDomain()));
            coordinator.memory().useRun(runId);
            previous.close();
        } catch (GlobalMemoryException e) {
            String first = String.valueOf(e.getMessage()).lines().findFirst().orElse("");
            throw new io.scarcity.runtime.UserException("cannot open the coordinator's store (coordinator.store.url = "
                    + config.coordinator().store().url() + "): " + first + "; check the URL, user and password" + maskedPasswordHint());
        }
    }

    /**
     * Checks, without creating anything, that the configured store can be reached: an SQLite file's
     * folder exists and is writable, a PostgreSQL server accepts the credentials. {@code runDir} may be
     * {@code null} (validation before a run folder exists).
     *
     * @throws io.scarcity.runtime.UserException naming the problem and the key to fix
     */
    public void checkStore(Path runDir) {
        var store = config.coordinator().store();
        if (store.url().equals("memory") || store.url().equals("sqlite")) {
            return;
        }
        if (store.url().startsWith("jdbc:sqlite:")) {
            Path file = Path.of(store.url().substring("jdbc:sqlite:".length())).toAbsolutePath();
            Path folder = file.getParent();
            if (folder == null || !java.nio.file.Files.isDirectory(folder)) {
                throw new io.scarcity.runtime.UserException("coordinator.store.url: the folder " + folder
                        + " does not exist; create it or choose another file");
            }
            if (!java.nio.file.Files.isWritable(folder) || java.nio.file.Files.isDirectory(file)) {
                throw new io.scarcity.runtime.UserException("coordinator.store.url: cannot write " + file
                        + " (a folder, or no write permission there); choose another file");
            }
            return;
        }
        java.sql.DriverManager.setLoginTimeout(10);
        try (java.sql.Connection c = java.sql.DriverManager.getConnection(store.url(), store.user(), store.password())) {
            c.isValid(5);
        } catch (java.sql.SQLException e) {
            String first = String.valueOf(e.getMessage()).lines().findFirst().orElse("");
            throw new io.scarcity.runtime.UserException("coordinator.store.url: cannot connect to " + store.url() + " as '"
                    + store.user() + "': " + first + "; check the URL, user and password" + maskedPasswordHint());
        }
    }

    /** A resumed run reads its config.yaml, where a password is masked: say where the real one goes. */
    private String maskedPasswordHint() {
        return "***".equals(config.coordinator().store().password())
                ? " (the run's config.yaml masks the password; give it with SCARCITY_COORDINATOR__STORE__PASSWORD)" : "";
    }

    /** Weight-sharing meta-learners: every client that reported uploads its gossipable states. */
    private void uploadStates(int round, List<ClientRoundResult> results, long[] bytes) {
        for (int i = 0; i < clients.size(); i++) {
            if (results.get(i).insight() == null) {
                continue;
            }
            ClientNode c = clients.get(i);
            Map<String, ExpertState> states = new LinkedHashMap<>();
            for (ExpertSlot slot : c.gossipCandidates(0)) {
                ExpertState s = c.exportState(slot.name());
                states.put(slot.name(), s);
                bytes[i] += s.sizeBytes();
            }
            coordinator.receiveStates(round, results.get(i).insight().client(), c.domain(), states);
        }
    }

    /** A client adopts the meta-learner's states for its domain (download counted when {@code bytes} is given). */
    private void adoptStates(ClientNode c, long[] bytes) {
        Map<String, ExpertState> states = metaLearner.statesFor(c.domain());
        for (ExpertSlot slot : c.gossipCandidates(0)) {
            ExpertState s = states.get(slot.name());
            if (s != null) {
                c.mergeState(slot.name(), s);
                if (bytes != null) {
                    bytes[clientIndex.get(c.id())] += s.sizeBytes();
                }
            }
        }
    }

    private ClientRoundResult offlineResult(int i, int round, List<Batch> missed) {
        ClientNode c = clients.get(i);
        long rows = 0;
        for (Batch b : missed) {
            rows += b.rows();
        }
        return ClientRoundResult.offline(c.id(), c.domain(), round, c.schema().task() == io.scarcity.api.Task.CLASSIFICATION,
                rows, c.memoryStats());
    }

    /**
     * FedAvg (weight sharing, a baseline): per domain, each gossipable expert's states are averaged over
     * the clients, sample-weighted, and every client adopts the average. Each client uploads its state
     * and downloads the average. Returns the bytes moved.
     */
    private long averageWeights(long[] bytes, boolean[] live) {
        long total = 0;
        for (List<ClientNode> all : clientsByDomain) {
            List<ClientNode> domainClients = all.stream().filter(c -> live[clientIndex.get(c.id())]).toList();
            if (domainClients.isEmpty()) {
                continue;
            }
            ClientNode first = domainClients.get(0);
            for (ExpertSlot slot : first.gossipCandidates(0)) {
                List<ExpertState> states = new ArrayList<>(domainClients.size());
                for (ClientNode c : domainClients) {
                    states.add(c.exportState(slot.name()));
                }
                double[] bySamples = new double[states.size()];
                for (int k = 0; k < bySamples.length; k++) {
                    bySamples[k] = states.get(k).samples();
                }
                ExpertState mean = ExpertState.weightedMean(states, bySamples);
                for (int i = 0; i < domainClients.size(); i++) {
                    ClientNode c = domainClients.get(i);
                    c.mergeState(slot.name(), mean);
                    long moved = states.get(i).sizeBytes() + mean.sizeBytes();
                    bytes[clientIndex.get(c.id())] += moved;
                    total += moved;
                }
            }
        }
        return total;
    }

    /** Evaluates every client of a task-stream domain on every task after each completed segment. */
    private List<TaskEvaluation> evaluateTasks(int round) {
        List<TaskEvaluation> out = new ArrayList<>();
        for (int i = 0; i < feeds.size(); i++) {
            if (!(feeds.get(i).source() instanceof TaskStream tasks)) {
                continue;
            }
            List<TaskStream.Segment> schedule = tasks.schedule();
            int next = segmentsEvaluated.get(i);
            // A segment counts as learned once the feed has read past its end (or the stream ran out).
            while (next < schedule.size()
                    && (feeds.get(i).consumed() >= schedule.get(next).end() || feeds.get(i).exhausted())) {
                double[] accuracy = new double[tasks.taskCount()];
                for (int t = 0; t < accuracy.length; t++) {
                    accuracy[t] = accuracyOn(clientsByDomain.get(i), tasks, t);
                }
                out.add(new TaskEvaluation(config.domains().get(i).name(), round, next, schedule.get(next).task(), accuracy));
                next++;
            }
            segmentsEvaluated.set(i, next);
        }
        return out;
    }

    private static double accuracyOn(List<ClientNode> domainClients, TaskStream tasks, int task) {
        List<Row> rows = tasks.testRows(task);
        if (rows.isEmpty()) {
            return Double.NaN;
        }
        DataSchema schema = tasks.schema();
        Batch test = DomainFeed.toBatch(schema, "test", rows, 0, true, schema.numFeatures());
        double sum = 0;
        for (ClientNode c : domainClients) {
            Prediction p = c.evaluate(test);
            long right = 0;
            for (int r = 0; r < test.rows(); r++) {
                right += p.predictedClass(r) == test.label(r) ? 1 : 0;
            }
            sum += (double) right / test.rows();
        }
        return sum / domainClients.size();
    }

    /** Peer-to-peer exchange: the coordinator is not involved. Returns the bytes exchanged. */
    private long gossip(int round, long[] bytes, int[] partners, boolean[] live) {
        List<Peer> peers = new ArrayList<>(clients.size());
        for (ClientNode c : clients) {
            if (live[clientIndex.get(c.id())]) {
                peers.add(new Peer(c.id(), c.domain(), c.signals()));
            }
        }
        List<GossipPair> pairs = gossip.plan(round, peers);
        long total = 0;
        for (GossipPair pair : pairs) {
            Integer ia = clientIndex.get(pair.a());
            Integer ib = clientIndex.get(pair.b());
            if (ia == null || ib == null) {
                throw new IllegalStateException("gossip strategy paired an unknown peer: " + pair);
            }
            ClientNode a = clients.get(ia);
            ClientNode b = clients.get(ib);
            if (!sameShape(a.schema(), b.schema())) {
                coordinatorMetrics.count("gossip.skipped-incompatible", 1);
                continue;
            }
            for (ExpertSlot slot : a.gossipCandidates(gossip.expertsPerExchange())) {
                ExpertState sa = a.exportState(slot.name());
                ExpertState sb = b.exportState(slot.name());
                ExpertState merged = gossip.merge(sa, sb);
                a.mergeState(slot.name(), merged);
                b.mergeState(slot.name(), merged);
                bytes[ia] += sa.sizeBytes();
                bytes[ib] += sb.sizeBytes();
                total += sa.sizeBytes() + sb.sizeBytes();
            }
            partners[ia]++;
            partners[ib]++;
        }
        return total;
    }

    private static boolean sameShape(DataSchema a, DataSchema b) {
        return a.numFeatures() == b.numFeatures() && a.task() == b.task() && a.numClasses() == b.numClasses();
    }

    private static java.util.concurrent.ThreadFactory daemonThreads() {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, "scarcity-client-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    /** Quarantined rows per domain so far (sources configured to quarantine). */
    public Map<String, Long> quarantined() {
        Map<String, Long> q = new TreeMap<>();
        for (int i = 0; i < feeds.size(); i++) {
            q.put(config.domains().get(i).name(), feeds.get(i).source().quarantined());
        }
        return q;
    }

    @Override
    public void close() {
        if (coordinator != null) {
            try {
                coordinator.memory().close();
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "closing the coordinator's store failed", e);
            }
        }
        for (DomainFeed f : feeds) {
            try {
                f.close();
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "closing a data source failed", e);
            }
        }
    }
}
