package io.scarcity.runtime.client;

import io.scarcity.api.Checkpointable;
import io.scarcity.api.StateReader;
import io.scarcity.api.StateWriter;
import io.scarcity.runtime.checkpoint.Sections;
import java.io.IOException;

import io.scarcity.api.Batch;
import io.scarcity.api.BatchOutcome;
import io.scarcity.api.DataSchema;
import io.scarcity.api.ExpertReport;
import io.scarcity.api.ExpertState;
import io.scarcity.api.InMemorySignalBoard;
import io.scarcity.api.Insight;
import io.scarcity.api.Memory;
import io.scarcity.api.MetaParameters;
import io.scarcity.api.Prediction;
import io.scarcity.api.Router;
import io.scarcity.api.Routing;
import io.scarcity.api.RoutingContext;
import io.scarcity.api.SignalBoard;
import io.scarcity.api.StandardSignals;
import io.scarcity.api.Task;
import io.scarcity.runtime.config.MixtureConfig;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * One federated client: a private stream's batches go through the router, the active experts
 * (test-then-train), the memory and replay; at the end of a round it produces an {@link Insight} and
 * nothing else leaves it except gossiped expert states.
 *
 * <p>Not thread-safe: the engine runs each client on one thread at a time.
 */
public final class ClientNode implements ClientHandle {
    private static final double LOG_FLOOR = 1e-12;

    private final String id;
    private final String domain;
    private final DataSchema schema;
    private final List<ExpertSlot> slots;
    private final Map<String, ExpertSlot> byName = new HashMap<>();
    private final List<ExpertSlot> analysers = new ArrayList<>();
    /** The experts that are {@link io.scarcity.api.RowFilter}s, asked about every batch before routing. */
    private final RowFilters filters;
    /** Slots whose expert is an {@link io.scarcity.api.ExpertSupervisor}, called after every batch. */
    private final List<ExpertSlot> supervisors = new ArrayList<>();
    /** Batches processed over the client's life (what supervisors see as the batch index). */
    private long batchesSeen;
    /** The view supervisors get; null without supervisors. */
    private final SupervisedView supervised;
    /** Predicts and mixes the routed experts (the test step). */
    private final ExpertMixture mixer;
    /** This round: predicting candidates summed over batches, and those that neither predicted nor learned. */
    private long expertBatches;
    private long idleExpertBatches;
    private final List<String> candidates = new ArrayList<>();
    /** The slots of {@link #candidates}, in config order. */
    private final List<ExpertSlot> predictors = new ArrayList<>();
    private final Router router;
    private final Memory memory;
    private final int replayRows;
    private final int minMomentRows;
    private final double priorWeight;
    private final InMemorySignalBoard signals = new InMemorySignalBoard();
    private final MomentsAccumulator moments;
    private final List<RunMetricsSink> sinks;
    private long[] confusion;
    private Routing lastRouting;

    /** Builds a cold twin of this client to guard a warm start; null: warm starts are not guarded. */
    private java.util.function.Supplier<ClientNode> twins;
    /** During the first round after a warm start: this client as it was before it adopted the pooled states. */
    private ClientNode coldTwin;
    /** Under {@code domains[i].labels}: which rows keep their label, when it comes, and the rows waiting; else null. */
    private PendingLabels labels;
    /** Rows learned with their predicted class this round (self-training). */
    private long selfTrained;
    /**
     * With {@code domains[i].labels.withheld} on a classification stream: the stream's own schema, whose labels only
     * score this client's anomaly flags (class {@link #normalClass} is normal, every other an anomaly); else null.
     */
    private DataSchema truth;
    private int normalClass;
    /** Rows flagged as anomalies this round (on a stream without labels). */
    private long flaggedRows;

    /**
     * @param minMomentRows feature moments are sent only once they pool this many rows
     * @param sinks the metrics sinks handed to this client's components, drained each round
     * @param mixture how active experts' predictions are mixed and rewarded, and which experts learn
     */
    public ClientNode(String id, String domain, DataSchema schema, List<ExpertSlot> slots, Router router, Memory memory,
                      int replayRows, double priorWeight, int minMomentRows, List<RunMetricsSink> sinks,
                      MixtureConfig mixture) {
        this.id = Objects.requireNonNull(id, "id is null");
        this.domain = Objects.requireNonNull(domain, "domain is null");
        this.schema = Objects.requireNonNull(schema, "schema is null");
        this.slots = List.copyOf(slots);
        this.router = Objects.requireNonNull(router, "router is null");
        this.memory = Objects.requireNonNull(memory, "memory is null");
        this.replayRows = replayRows;
        Objects.requireNonNull(mixture, "mixture is null");
        this.minMomentRows = minMomentRows;
        this.priorWeight = priorWeight;
        this.moments = new MomentsAccumulator(schema.numFeatures());
        this.sinks = List.copyOf(sinks);
        for (ExpertSlot s : this.slots) {
            byName.put(s.name(), s);
            if (!schema.labelled() && !s.capabilities().learnsWithoutLabels()) {
                continue; // on a stream without labels an expert that learns only from labels has no work
            }
            if (s.capabilities().predicts()) {
                candidates.add(s.name());
                predictors.add(s);
                if (mixture.calibrates() && schema.task() == Task.CLASSIFICATION && schema.numClasses() >= 2) {
                    s.calibrator = new TemperatureCalibrator(schema.numClasses());
                }
            } else {
                analysers.add(s);
            }
        }
        if (candidates.isEmpty()) {
            throw new IllegalArgumentException(schema.labelled() ? "no predicting expert"
                    : "no predicting expert that learns without labels");
        }
        List<ExpertSlot> filterSlots = new ArrayList<>();
        for (ExpertSlot s : this.slots) {
            if (s.expert() instanceof io.scarcity.api.RowFilter) {
                filterSlots.add(s);
            }
            if (s.expert() instanceof io.scarcity.api.ExpertSupervisor) {
                supervisors.add(s);
            }
            if (s.expert() instanceof io.scarcity.api.RowCodec codec) {
                memory.useCodec(s.name(), codec);
            }
        }
        this.filters = new RowFilters(filterSlots);
        this.mixer = new ExpertMixture(schema, mixture, byName, candidates);
        this.supervised = supervisors.isEmpty() ? null : new SupervisedView(byName, candidates, memory, signals, () -> batchesSeen);
    }

    /**
     * Gives this client the labels of {@code domains[i].labels}: which of its rows keep their label and when it
     * comes, drawn from {@code seed} and its id. Every row at once (the default) changes nothing.
     */
    public void scarceLabels(io.scarcity.runtime.config.LabelsConfig config, long seed) {
        labels = config.everyRowAtOnce() || !schema.labelled() ? null : new PendingLabels(config, schema, seed, id);
        learnsUnlabelledRows = config.learnsUnlabelledRows();
    }

    /**
     * Differential privacy on this client's insights ({@code privacy.dp}): each round's insight leaves through
     * {@code privacy}, which noises it and accounts for the budget spent (checkpointed with the client).
     */
    public void privately(io.scarcity.runtime.privacy.InsightPrivacy privacy) {
        this.privacy = Objects.requireNonNull(privacy, "privacy is null");
    }

    /** Under {@code privacy.dp}: the client's privacy ledger (spent budget, noise secret), to outlive a rebuild; else null. */
    public byte[] privacyLedger() {
        if (privacy == null && gossipPrivacy == null) {
            return null;
        }
        return ledger(privacy == null ? null : privacyState(), gossipPrivacy == null ? null : gossipPrivacy.secret());
    }

    /** A ledger as {@link #privacyLedger} gives it, from what an older version kept (the insights' accountant alone). */
    public static byte[] ledgerOfInsightPrivacy(byte[] state) {
        return ledger(state, null);
    }

    /** The ledger of the insights' accountant state and the gossip noise secret, each if not null. */
    private static byte[] ledger(byte[] insights, byte[] gossip) {
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        try {
            StateWriter out = new StateWriter(bytes);
            for (byte[] part : new byte[][] {insights, gossip}) {
                out.writeBoolean(part != null);
                if (part != null) {
                    out.writeBytes(part);
                }
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /**
     * Keeps a ledger {@link #privacyLedger} gave before this client was rebuilt: a spent budget is never given back, and
     * private gossip continues with the noise secret it released with, so rows replayed are released with the same noise.
     */
    public void keepPrivacyLedger(byte[] ledger) throws IOException {
        if (ledger == null) {
            return;
        }
        StateReader in = new StateReader(new java.io.ByteArrayInputStream(ledger));
        byte[] insights = in.readBoolean() ? in.readBytes() : null;
        byte[] gossip = in.readBoolean() ? in.readBytes() : null;
        if (privacy != null && insights != null) {
            privacy.keepLedger(insights);
        }
        if (gossipPrivacy != null && gossip != null) {
            try {
                gossipPrivacy.keepSecret(gossip);
            } catch (IllegalArgumentException | IllegalStateException e) {
                throw new IOException("the privacy ledger of client " + id + ": " + e.getMessage(), e);
            }
        }
    }

    /** Whether this client's insights leave it noised ({@code privacy.dp}): then nothing else of its rounds may. */
    public boolean noisesInsights() {
        return privacy != null;
    }

    /** Under {@code privacy.dp}: what noises this client's insights and accounts for them; else null. */
    private io.scarcity.runtime.privacy.InsightPrivacy privacy;

    /** Under {@code privacy.dp.outputs: gossip} or {@code both}: what peers get instead of states; else null. */
    private io.scarcity.runtime.privacy.GossipPrivacy gossipPrivacy;

    /**
     * Gossips privately ({@code privacy.dp.outputs: gossip} or {@code both}): the gossipable experts that can share row
     * sums ({@link io.scarcity.api.RowSums}) start summing their rows, and from now on peers get only the noised sums
     * ({@link io.scarcity.runtime.privacy.GossipPrivacy}); the others are no longer gossiped.
     */
    public void gossipPrivately(io.scarcity.runtime.privacy.GossipPrivacy gossip) {
        Objects.requireNonNull(gossip, "gossip is null");
        if (filters.any()) {
            // a filter may hold a row back by signals that other rows made: which rows are summed would depend on them
            throw new io.scarcity.api.ConfigException("privacy.dp.outputs", "cannot be used with a row filter ("
                    + String.join(", ", filters.names()) + "): whether a row is admitted may depend on the other rows, so one "
                    + "row's sensitivity would no longer be bounded; remove the filter or use outputs: insights");
        }
        this.gossipPrivacy = gossip;
        List<io.scarcity.api.RowSums> started = new ArrayList<>();
        for (ExpertSlot s : slots) {
            if (shared(s) && rowSums(s) != null) {
                rowSums(s).startRowSums(gossip.bound());
                started.add(rowSums(s));
            }
        }
        summing = List.copyOf(started);
    }

    /** Under private gossip, the gossipable experts it leaves out (they cannot share row sums); else none. */
    public List<String> notGossipedPrivately() {
        List<String> out = new ArrayList<>();
        if (gossipPrivacy != null) {
            for (ExpertSlot s : slots) {
                if (shared(s) && rowSums(s) == null) {
                    out.add(s.name());
                }
            }
        }
        return out;
    }

    /** Under private gossip, the experts that share row sums (set once); else none. */
    private List<io.scarcity.api.RowSums> summing = List.of();

    /** Whether the slot's expert leaves the client by gossip at all: gossipable and not a personal twin. */
    private static boolean shared(ExpertSlot s) {
        return s.capabilities().gossipable() && !s.personal();
    }

    /**
     * Under private gossip, hands a batch whose labels just arrived (each row once) to every expert that shares row
     * sums, whatever the routing decided to learn: which rows are summed must not depend on the other rows.
     */
    private void sumPrivately(Batch batch) {
        if (summing.isEmpty() || !schema.labelled() || !batch.hasLabels()) {
            return;
        }
        for (io.scarcity.api.RowSums r : summing) {
            r.sumRows(batch);
        }
        summedThisRound = true;
    }

    /** Whether any row went into row sums this round (private gossip). */
    private boolean summedThisRound;

    /** The slot's expert as row sums, if it can share them. */
    private static io.scarcity.api.RowSums rowSums(ExpertSlot s) {
        return s.expert() instanceof io.scarcity.api.RowSums r && r.sharesRowSums() ? r : null;
    }

    /** Under {@code privacy.secureAggregation}: moments leave only through the round's secure aggregation. */
    private boolean securelyAggregated;
    /** The moments of the last round, waiting for the round's secure aggregation; null when none are waiting. */
    private io.scarcity.api.FeatureMoments aggregand;
    private io.scarcity.runtime.secagg.SecAggClient secAgg;

    /** Sends this client's feature moments through secure aggregation instead of in its insights. */
    public void aggregateMomentsSecurely() {
        this.securelyAggregated = true;
    }

    /**
     * {@code privacy.secureAggregation.insights}: the whole insight (its moments included) leaves only through the
     * round's secure aggregation; the coordinator gets this client's id, round and row count in the clear, no value.
     */
    private boolean insightsSecurely;
    /** The insight of the last round, waiting for the round's secure aggregation; null when none is waiting. */
    private Insight insightAggregand;

    /** Sends this client's insights through secure aggregation (moments included). */
    public void aggregateInsightsSecurely() {
        this.securelyAggregated = true;
        this.insightsSecurely = true;
    }

    /** The keys of this client's insight sums: from its config (experts, plugins, declared signals), nothing learned. */
    private List<String> insightKeys() {
        List<SecureInsights.ExpertShape> shapes = new ArrayList<>();
        java.util.Set<String> board = new java.util.TreeSet<>(List.of(io.scarcity.api.StandardSignals.MIXTURE_LOSS,
                io.scarcity.api.StandardSignals.MIXTURE_ACCURACY));
        for (ExpertSlot s : slots) {
            board.addAll(s.capabilities().writes());
            if (!s.personal()) {
                shapes.add(new SecureInsights.ExpertShape(s.name(), s.plugin(), s.capabilities().writes()));
            }
        }
        return SecureInsights.keys(shapes, board);
    }

    @Override
    public ExpertState secureInsightShape() {
        if (!insightsSecurely) {
            throw new IllegalStateException("client " + id + " does not aggregate its insights securely");
        }
        return SecureInsights.shape(insightKeys(), schema.numFeatures());
    }

    /** What this client has summed by secure aggregation since its last round: each once. */
    private final java.util.Set<String> aggregatedThisRound = new java.util.HashSet<>();

    /** What the current secure aggregation sums: {@code moments} or {@code expert:NAME}. */
    private String secAggSubject;

    @Override
    public io.scarcity.runtime.secagg.SecAggClient.Keys secureAggregationKeys(int index, int threshold, String subject) {
        if (!securelyAggregated) {
            throw new IllegalStateException("client " + id + " does not aggregate securely");
        }
        boolean insight = insightsSecurely && SecureInsights.isSubject(subject);
        if (!insight && !subject.equals("moments") && !(subject.startsWith("expert:")
                && byName.containsKey(SecureMoments.expertOf(subject)))) {
            throw new IllegalArgumentException("client " + id + " has nothing to aggregate as " + subject);
        }
        if (insightsSecurely && subject.equals("moments")) {
            throw new IllegalArgumentException("client " + id + " aggregates its moments within its insight, not alone");
        }
        String what = insight ? SecureInsights.SUBJECT : subject.equals("moments") ? subject
                : "expert:" + SecureMoments.expertOf(subject);
        if (!aggregatedThisRound.add(what)) {
            // two sums of one round over other sets of clients would differ by one client's input: once per round
            throw new IllegalStateException("client " + id + " has taken part in the aggregation of " + what + " this round");
        }
        secAgg = new io.scarcity.runtime.secagg.SecAggClient(index, threshold, new java.security.SecureRandom());
        secAggSubject = subject;
        return secAgg.advertise();
    }

    @Override
    public ExpertState secureAggregationShape(String expert) {
        ExpertState s = byName.get(expert).expert().exportState();
        Map<String, double[]> zeros = new java.util.TreeMap<>();
        s.weights().forEach((k, v) -> zeros.put(k, new double[v.length]));
        return new ExpertState(s.expert(), zeros, 0);
    }

    @Override
    public List<io.scarcity.runtime.secagg.SecAggClient.SealedShare> secureAggregationShares(
            List<io.scarcity.runtime.secagg.SecAggClient.Keys> neighbours) {
        return secAgg.shareKeys(neighbours);
    }

    @Override
    public long[] secureAggregationInput(List<io.scarcity.runtime.secagg.SecAggClient.SealedShare> forMe) {
        long[] input;
        if (SecureInsights.isSubject(secAggSubject)) {
            Insight i = insightAggregand;
            insightAggregand = null;
            input = SecureInsights.encode(i, SecureInsights.keysOf(secAggSubject), schema.numFeatures());
        } else if (secAggSubject.equals("moments")) {
            io.scarcity.api.FeatureMoments m = aggregand;
            aggregand = null;
            // encoded here, so that moments beyond what the sum can hold make this client drop out, not its round fail
            input = m != null ? SecureMoments.encode(m, schema.numFeatures()) : new long[SecureMoments.length(schema.numFeatures())];
        } else {
            input = SecureMoments.weighted(byName.get(SecureMoments.expertOf(secAggSubject)).expert().exportState(),
                    SecureMoments.arraysOf(secAggSubject));
        }
        return secAgg.maskedInput(forMe, input);
    }

    @Override
    public io.scarcity.runtime.secagg.SecAggClient.Unmasking secureAggregationUnmask(java.util.Set<Integer> stayed,
                                                                                    java.util.Set<Integer> left) {
        try {
            return secAgg.unmask(stayed, left);
        } finally {
            secAgg = null;
        }
    }

    /**
     * {@code domains[i].labels.unlabelledRows}: whether rows are learned from on arrival, before (or without) their
     * labels; also for a stream's own missing labels when every other label comes at once.
     */
    private boolean learnsUnlabelledRows = true;

    /**
     * Withheld labels ({@code domains[i].labels.withheld}): this client (built with a schema without labels) is fed
     * batches of the classification stream {@code stream}; their labels reach nothing but the scoring of its anomaly
     * flags, class {@code normalClass} being normal and every other an anomaly. A row a row filter holds back counts as
     * flagged.
     */
    public void withholdLabels(DataSchema stream, int normalClass) {
        if (schema.labelled() || stream.task() != Task.CLASSIFICATION || stream.numFeatures() != schema.numFeatures()) {
            throw new IllegalArgumentException("withheld labels need a client without labels fed a classification stream"
                    + " of as many features");
        }
        if (normalClass < 0 || normalClass >= stream.numClasses()) {
            throw new IllegalArgumentException("normal class " + normalClass + " outside 0.." + (stream.numClasses() - 1));
        }
        this.truth = stream;
        this.normalClass = normalClass;
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public String domain() {
        return domain;
    }

    @Override
    public DataSchema schema() {
        return schema;
    }

    public List<ExpertSlot> slots() {
        return slots;
    }

    /** Latest signals on this client's board. */
    @Override
    public Map<String, Double> signals() {
        return signals.snapshot();
    }

    /**
     * Runs one round over the client's batches (possibly none) and returns its result and insight.
     */
    @Override
    public ClientRoundResult runRound(int round, List<Batch> batches) {
        for (ExpertSlot s : slots) {
            s.resetRound();
        }
        int k = schema.numClasses();
        confusion = schema.task() == Task.CLASSIFICATION ? new long[k * k] : truth != null ? new long[4] : null;
        flaggedRows = 0;
        long rows = 0;
        long streamedRows = 0;
        long scored = 0;
        long correct = 0;
        double lossSum = 0;
        double logLossSum = 0;
        List<Long> driftRows = new ArrayList<>();
        filters.startRound();
        expertBatches = 0;
        idleExpertBatches = 0;
        for (Batch fed : batches) {
            int[] truthLabels = truthOf(fed);
            // a client without labels gets the rows alone (labels withheld: the fed batch has them, kept in truthLabels)
            Batch streamed = schema.labelled() || !fed.hasLabels() ? fed
                    : Batch.ofTargets(schema, domain, fed.firstRow(), fed.featuresCopy(), null);
            Batch batch = filters.admitted(streamed, signals);
            if (batch.rows() == 0) {
                if (truthLabels != null) { // every row held back: each counts as flagged
                    BatchResult held = scoreFlags(truthLabels, filters.lastKept(), null);
                    scored += held.scored;
                    correct += held.correct;
                    lossSum += held.lossSum;
                }
                continue;
            }
            streamedRows += streamed.rows();
            BatchResult r;
            if (!schema.labelled() || labels == null && !batch.hasMissingLabels()) {
                r = processBatch(round, batch, true);
                sumPrivately(batch);
            } else {
                r = processWithLabels(round, batch);
            }
            if (truthLabels != null) {
                r = scoreFlags(truthLabels, filters.lastKept(), r.anomalies());
            }
            rows += batch.rows();
            scored += r.scored;
            correct += r.correct;
            lossSum += r.lossSum;
            logLossSum += r.logLossSum;
            if (signals.get(StandardSignals.DRIFT_DETECTED, 0) >= 1) {
                driftRows.add(streamed.firstRow() + streamed.rows());
            }
        }
        // A guarded warm start: the cold twin learns the same round; the better of the two goes on (below).
        ClientNode twin = coldTwin;
        coldTwin = null;
        boolean revert = twin != null && twin.beats(twin.runRound(round, batches), correct, lossSum, logLossSum);
        Map<String, RoundMetrics.ExpertRound> experts = new LinkedHashMap<>();
        Map<String, ExpertReport> reports = new TreeMap<>();
        Map<String, Double> board = signals.snapshot();
        for (ExpertSlot s : slots) {
            double lr = s.expert().learningRate();
            experts.put(s.name(), new RoundMetrics.ExpertRound(s.activations, s.meanLoss(), s.samples, lr,
                    s.capabilities().predicts()));
            Map<String, Double> written = new TreeMap<>();
            for (String w : s.capabilities().writes()) {
                Double v = board.get(w);
                if (v != null) {
                    written.put(w, v);
                }
            }
            if (!s.personal()) {
                // a personal twin stays on the client: its numbers are in metrics.jsonl, not in the insight
                reports.put(s.name(), new ExpertReport(s.name(), s.plugin(), s.meanLoss(), s.samples, s.activations,
                        lr, written));
            }
        }
        Map<String, Double> pluginMetrics = new TreeMap<>();
        for (RunMetricsSink sink : sinks) {
            pluginMetrics.putAll(sink.drain());
        }
        if (filters.any()) {
            pluginMetrics.put("client.quarantined-rows", (double) filters.heldBack());
        }
        if (!supervisors.isEmpty()) {
            for (ExpertSlot s : slots) {
                if (s.frozen) {
                    pluginMetrics.put("client.frozen." + s.name(), 1.0);
                }
            }
        }
        for (ExpertSlot s : slots) {
            if (s.calibrator != null) {
                pluginMetrics.put("calibration." + s.name() + ".temperature", 1 / s.calibrator.inverseTemperature());
            }
        }
        mixer.reportRound(pluginMetrics);
        if (!schema.labelled()) {
            pluginMetrics.put("anomaly.flagged-rows", (double) flaggedRows);
        }
        boolean classification = schema.task() == Task.CLASSIFICATION || truth != null;
        double accuracy = scored == 0 || !classification ? Double.NaN : (double) correct / scored;
        double loss = scored == 0 ? Double.NaN : lossSum / scored;
        if (labels != null) {
            pluginMetrics.put("labels.scored-rows", (double) scored);
            pluginMetrics.put("labels.waiting-rows", (double) labels.waiting());
            pluginMetrics.put("labels.dropped-rows", (double) labels.dropped());
            if (!Double.isNaN(labels.selfTraining())) {
                pluginMetrics.put("labels.self-trained-rows", (double) selfTrained);
            }
            selfTrained = 0;
        }
        if (twin != null) {
            pluginMetrics.put("client.warm-start-kept", revert ? 0.0 : 1.0);
        }
        Insight insight = new Insight(id, domain, round, rows, accuracy, loss, reports, board, moments.drain(minMomentRows));
        if (privacy != null) {
            insight = privacy.release(insight);
            pluginMetrics.put("privacy.epsilon", privacy.epsilonSpent());
            pluginMetrics.put("privacy.delta", privacy.delta());
            if (privacy.withheld()) {
                pluginMetrics.put("privacy.withheld", 1.0);
            }
        }
        if (gossipPrivacy != null) {
            gossipPrivacy.roundPlayed(gossipableExperts(0), streamedRows, summedThisRound);
            summedThisRound = false;
            pluginMetrics.put("privacy.row-epsilon", gossipPrivacy.rowEpsilon(privacy == null ? null : privacy.rdp()));
            pluginMetrics.put("privacy.delta", gossipPrivacy.delta());
        }
        if (insightsSecurely) {
            aggregatedThisRound.clear();
            // every value of the insight (noised, under privacy.dp) goes to the round's secure aggregation
            insightAggregand = insight;
            insight = SecureInsights.cleared(insight, schema.numFeatures());
        } else if (securelyAggregated) {
            aggregatedThisRound.clear();
            // the moments (noised, under privacy.dp) go to the secure aggregation of the round, not into the insight
            aggregand = insight.moments();
            insight = SecureMoments.withoutMoments(insight, schema.numFeatures());
        }
        ClientRoundResult result = new ClientRoundResult(id, domain, round, classification, rows, scored, correct, lossSum,
                logLossSum, confusion, driftRows, new RoundMetrics(experts, pluginMetrics, expertBatches, idleExpertBatches),
                board, memory.stats(), insight, 0, filters.heldBack());
        if (revert) {
            byte[] spent = privacy == null ? null : privacyState();
            copy(twin, this);
            if (spent != null) { // the budget this client spent stays spent, whatever the twin's accountant says
                try {
                    privacy.restoreState(new StateReader(new java.io.ByteArrayInputStream(spent)));
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }
        }
        return result;
    }

    /**
     * Guards warm starts ({@link #warmStart}) with cold twins from {@code twins} (a client built from the same
     * config, id and seeds): the twin is this client as it was before the start, learns the first round too,
     * and if it did better on that round's rows (more correct; on a tie, a lower log loss; for regression a
     * lower loss), this client continues from the twin's state. The round's result is the warm one's either
     * way (its rows were predicted by it). Needs every plugin to be checkpointable; otherwise the start is not
     * guarded.
     */
    public void guardWarmStartsWith(java.util.function.Supplier<ClientNode> twins) {
        this.twins = Objects.requireNonNull(twins, "twins is null");
    }

    @Override
    public long warmStart(Map<String, ExpertState> states) {
        if (twins != null && notCheckpointable().isEmpty() && !states.isEmpty()) {
            coldTwin = twins.get();
            copy(this, coldTwin);
        }
        return ClientHandle.super.warmStart(states);
    }

    /** Whether this twin's round {@code mine} beat the warm client's round of the same rows. */
    private boolean beats(ClientRoundResult mine, long warmCorrect, double warmLoss, double warmLogLoss) {
        if (!mine.classification()) {
            return mine.lossSum() < warmLoss;
        }
        return mine.correct() > warmCorrect || (mine.correct() == warmCorrect && mine.logLossSum() < warmLogLoss);
    }

    private byte[] privacyState() {
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        try {
            privacy.saveState(new StateWriter(bytes));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /** {@code to} continues as {@code from}: its whole state, through the checkpoint format. */
    private static void copy(ClientNode from, ClientNode to) {
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        try {
            from.saveState(new StateWriter(bytes));
            to.restoreState(new StateReader(new java.io.ByteArrayInputStream(bytes.toByteArray())));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("copying client " + from.id + "'s state in memory", e);
        }
    }

    /**
     * What one batch gave: {@code scored} rows scored against their label (all of a labelled batch's; under
     * {@code labels}, those whose label arrived), with their {@code correct}, loss and log-loss sums, and the
     * mixture's prediction of the batch.
     */
    private record BatchResult(long scored, long correct, double lossSum, double logLossSum, Prediction mixture,
                               boolean[] anomalies) {
        BatchResult(long scored, long correct, double lossSum, double logLossSum, Prediction mixture) {
            this(scored, correct, lossSum, logLossSum, mixture, null);
        }
    }

    /** The withheld labels of a batch fed to this client (-1 for a row without one), or null when labels are not withheld. */
    private int[] truthOf(Batch fed) {
        if (truth == null || !fed.hasLabels()) {
            return null;
        }
        int[] y = new int[fed.rows()];
        for (int r = 0; r < y.length; r++) {
            y[r] = fed.labelled(r) ? fed.label(r) : -1;
        }
        return y;
    }

    /**
     * Scores the anomaly flags of a batch against its withheld labels into the round's 2 x 2 confusion (normal,
     * anomaly): {@code kept} says which rows the row filters admitted (null: all), {@code flags} the admitted rows'
     * flags (null: none flagged); a row held back counts as flagged, a row without a label is not scored.
     */
    private BatchResult scoreFlags(int[] truthLabels, boolean[] kept, boolean[] flags) {
        long scored = 0;
        long correct = 0;
        for (int r = 0, j = 0; r < truthLabels.length; r++) {
            boolean admitted = kept == null || kept[r];
            boolean flagged = !admitted || flags != null && flags[j];
            if (admitted) {
                j++;
            }
            if (truthLabels[r] < 0) {
                continue;
            }
            int anomaly = truthLabels[r] == normalClass ? 0 : 1;
            int said = flagged ? 1 : 0;
            confusion[anomaly * 2 + said]++;
            scored++;
            correct += anomaly == said ? 1 : 0;
        }
        return new BatchResult(scored, correct, scored - correct, 0, null, flags);
    }

    /**
     * Scarce or late labels ({@code domains[i].labels}): labels a client's rows under this client's draw, predicts the
     * batch without its labels (the experts that learn without labels do; the prediction is what is scored), holds
     * the rows whose label comes later, then learns from every row whose label has come (this batch's and released
     * waiting rows), scoring each with the prediction made at its arrival (delayed progressive validation). A batch
     * whose every label comes at once, with none waiting, goes the usual way. Rows whose label is missing in the
     * stream ({@link Batch#withMissingLabels}) never get one, with or without {@code labels}.
     */
    private BatchResult processWithLabels(int round, Batch batch) {
        int n = batch.rows();
        long[] delays = new long[n];
        boolean allNow = labels == null || labels.waiting() == 0;
        for (int r = 0; r < n; r++) {
            // the draw is taken for every row, so that a missing label does not shift the draws of the rows after it
            long drawn = labels == null ? 0 : labels.nextDelay();
            delays[r] = batch.labelled(r) ? drawn : -1;
            allNow &= delays[r] == 0;
        }
        if (allNow) {
            BatchResult all = processBatch(round, batch, true);
            sumPrivately(batch);
            return all;
        }
        boolean classification = schema.task() == Task.CLASSIFICATION;
        int k = schema.numClasses();
        // The rows as they arrive, without labels: learned from by the experts that learn without labels, unless
        // unlabelledRows: ignore (then only predicted; each row is learned once its label comes, if it comes).
        Prediction p = processBatch(round, batch.withoutLabels(), true, learnsUnlabelledRows).mixture();
        long first = labels == null ? 0 : labels.arrived() - n;
        List<PendingLabels.Waiting> ready = new ArrayList<>();
        for (int r = 0; r < n; r++) {
            if (delays[r] < 0) {
                continue;
            }
            PendingLabels.Waiting w;
            double[] x = batch.copyRow(r, new double[schema.numFeatures()]);
            if (classification) {
                int y = batch.label(r);
                int predicted = p.predictedClass(r);
                w = new PendingLabels.Waiting(first + r + 1 + delays[r], first + r, x, y, Double.NaN, predicted,
                        predicted == y ? 0 : 1, -Math.log(Math.max(LOG_FLOOR, p.probability(r, y))));
            } else {
                double e = p.value(r) - batch.target(r);
                w = new PendingLabels.Waiting(first + r + 1 + delays[r], first + r, x, 0, batch.target(r), -1, e * e, 0);
            }
            if (delays[r] == 0) {
                ready.add(w);
            } else {
                labels.hold(w);
            }
        }
        if (labels != null) {
            ready.addAll(labels.released());
        }
        if (classification && labels != null && !Double.isNaN(labels.selfTraining())) {
            selfTrain(round, batch, delays, p);
        }
        long correct = 0;
        double lossSum = 0;
        double logLossSum = 0;
        for (PendingLabels.Waiting w : ready) {
            if (classification) {
                correct += w.predicted() == w.label() ? 1 : 0;
                confusion[w.label() * k + w.predicted()]++;
            }
            lossSum += w.loss();
            logLossSum += w.logLoss();
        }
        if (!ready.isEmpty()) {
            // learning from the labels that came; scored above, with the predictions made at arrival
            Batch came = PendingLabels.batch(ready, schema, domain);
            processBatch(round, came, false);
            sumPrivately(came);
        }
        return new BatchResult(ready.size(), correct, lossSum, logLossSum, p);
    }

    /**
     * Self-training: the rows of {@code batch} whose label never comes ({@code delays[r] < 0}) and whose predicted class
     * has at least the configured probability are learned, with that class, by the predicting experts that learn (not
     * by the analysers, the router, the combiner or the calibration: they would learn to agree with themselves).
     */
    private void selfTrain(int round, Batch batch, long[] delays, Prediction p) {
        int n = batch.rows();
        boolean[] keep = new boolean[n];
        int[] pseudo = new int[n];
        int kept = 0;
        for (int r = 0; r < n; r++) {
            int c = p.predictedClass(r);
            if (delays[r] < 0 && p.probability(r, c) >= labels.selfTraining()) {
                keep[r] = true;
                pseudo[r] = c;
                kept++;
            }
        }
        if (kept == 0) {
            return;
        }
        double[] x = batch.featuresCopy();
        Batch labelled = Batch.ofClasses(schema, domain, batch.firstRow(), x, pseudo).select(keep);
        int k = schema.numClasses();
        double[] probabilities = new double[kept * k];
        for (int r = 0, j = 0; r < n; r++) {
            if (keep[r]) {
                for (int c = 0; c < k; c++) {
                    probabilities[j * k + c] = p.probability(r, c);
                }
                j++;
            }
        }
        // the mixture's prediction of the kept rows, and no loss: each is learned as if predicted right
        BatchOutcome outcome = new BatchOutcome(Prediction.ofProbabilities(kept, k, probabilities), new double[kept], round);
        List<ExpertSlot> learners = mixer.learners(predictors, predictors);
        for (ExpertSlot s : learners) {
            if (!s.frozen) {
                s.expert().learn(labelled, outcome, signals);
                s.samples += kept;
            }
        }
        selfTrained += kept;
    }

    /**
     * Test-then-train on one batch.
     *
     * @param arrival whether these rows just arrived (scored here when labelled, and counted in the feature
     *        moments), or are rows whose late labels came (scored at their arrival: here only learned from)
     */
    private BatchResult processBatch(int round, Batch batch, boolean arrival) {
        return processBatch(round, batch, arrival, true);
    }

    /**
     * {@link #processBatch(int, Batch, boolean)}; without {@code learn} the batch is routed and predicted (and counted in
     * the feature moments on arrival), but nothing learns from it: no expert, analyser, memory or supervisor.
     */
    private BatchResult processBatch(int round, Batch batch, boolean arrival, boolean learn) {
        Routing routing = router.route(new RoutingContext(candidates, batch, signals, round));
        if (routing == null) {
            throw new IllegalStateException("router returned no routing");
        }
        lastRouting = routing;
        int n = batch.rows();
        for (ExpertSlot s : slots) {
            s.lastActive = false;
            s.lastLoss = Double.NaN;
            s.worked = false;
        }
        boolean classification = schema.task() == Task.CLASSIFICATION;
        int k = schema.numClasses();
        boolean labelled = batch.hasLabels();
        ExpertMixture.Mixed tested = schema.labelled() ? mixer.predict(routing, batch, signals) : mixer.structural(routing);
        Prediction mixture = tested.mixture();
        List<ExpertSlot> active = tested.active();
        Map<String, Double> rewards = tested.rewards();
        long correct = 0;
        double lossSum = 0;
        double logLossSum = 0;
        double[] rowLosses = new double[labelled ? n : 0];
        if (labelled) {
            for (int r = 0; r < n; r++) {
                if (classification) {
                    int y = batch.label(r);
                    int predicted = mixture.predictedClass(r);
                    boolean right = predicted == y;
                    correct += right ? 1 : 0;
                    if (arrival) {
                        confusion[y * k + predicted]++;
                    }
                    rowLosses[r] = right ? 0 : 1;
                    logLossSum += -Math.log(Math.max(LOG_FLOOR, mixture.probability(r, y)));
                } else {
                    double e = mixture.value(r) - batch.target(r);
                    rowLosses[r] = e * e;
                }
                lossSum += rowLosses[r];
            }
            router.reward(routing, rewards);
            signals.publish(StandardSignals.MIXTURE_LOSS, n == 0 ? 0 : lossSum / n);
            if (classification) {
                signals.publish(StandardSignals.MIXTURE_ACCURACY, n == 0 ? 0 : (double) correct / n);
            }
        }
        BatchOutcome outcome = new BatchOutcome(mixture, rowLosses, round);
        List<ExpertSlot> learners = List.of();
        if (learn) {
            // Analysers learn first so that their signals (e.g. a drift) reach the predictors on this batch.
            for (ExpertSlot a : analysers) {
                a.activations++;
                a.expert().learn(batch, outcome, signals);
                a.samples += n;
            }
            learners = mixer.learners(predictors, active);
            if (!supervisors.isEmpty()) { // only supervisors freeze experts
                learners = new ArrayList<>(learners);
                learners.removeIf(s -> s.frozen);
            }
            for (ExpertSlot s : learners) {
                s.expert().learn(batch, outcome, signals);
                s.samples += n;
                s.worked = true;
            }
        }
        boolean[] anomalies = null;
        if (!schema.labelled()) {
            anomalies = anomalies(n, learners);
            rewardStructure(routing, learners, n);
        }
        if (learn) {
            memory.observe(batch, signals);
            if (replayRows > 0 && schema.labelled()) {
                Optional<Batch> replay = memory.replay(replayRows);
                if (replay.isPresent()) {
                    for (ExpertSlot s : learners) {
                        s.expert().replay(replay.get());
                    }
                }
            }
        }
        if (arrival) {
            moments.add(batch);
        }
        if (learn && !supervisors.isEmpty()) {
            for (ExpertSlot s : supervisors) {
                ((io.scarcity.api.ExpertSupervisor) s.expert()).supervise(supervised);
            }
        }
        // Compute routing saved: a candidate that neither predicted, learned nor was replayed into (by a
        // supervisor too) on this batch did no work.
        expertBatches += predictors.size();
        for (ExpertSlot s : predictors) {
            if (!s.worked) {
                idleExpertBatches++;
            }
        }
        batchesSeen++;
        return new BatchResult(labelled ? n : 0, correct, lossSum, logLossSum, mixture, anomalies);
    }

    /**
     * A stream without labels: the rows any expert that learned the batch (an analyser or {@code learners}) flags as
     * anomalies, counted into the round's flagged rows; null when no expert flags anomalies.
     */
    private boolean[] anomalies(int n, List<ExpertSlot> learners) {
        boolean[] any = orFlags(null, analysers, n);
        any = orFlags(any, learners, n);
        if (any != null) {
            for (boolean b : any) {
                flaggedRows += b ? 1 : 0;
            }
        }
        return any;
    }

    /** {@code any} (allocated when the first flags come; null until then) OR the anomaly flags of {@code slots}. */
    private static boolean[] orFlags(boolean[] any, List<ExpertSlot> slots, int n) {
        for (ExpertSlot s : slots) {
            boolean[] f = s.expert().anomalies();
            if (f == null) {
                continue;
            }
            if (f.length != n) {
                throw new IllegalStateException("expert '" + s.name() + "' (" + s.plugin() + ") flagged " + f.length
                        + " rows of a batch of " + n);
            }
            if (any == null) {
                any = new boolean[n];
            }
            for (int r = 0; r < n; r++) {
                any[r] |= f[r];
            }
        }
        return any;
    }

    /**
     * The self-supervised loss of predicting every standardised feature by its mean: what an expert without a
     * reconstruction of its own is rewarded as on a batch without labels.
     */
    static final double BASELINE_SELF_SUPERVISED_LOSS = 1.0;

    /**
     * A stream without labels: the self-supervised loss on the batch ({@link io.scarcity.api.Expert#selfSupervisedLoss})
     * of each expert that learned it is the loss reported for it, and each one the router activated is rewarded with
     * {@code 1 / (1 + loss)}; an activated expert without such a loss is rewarded as the features' means would be
     * ({@link #BASELINE_SELF_SUPERVISED_LOSS}), and reports no loss.
     */
    private void rewardStructure(Routing routing, List<ExpertSlot> learned, int n) {
        Map<String, Double> rewards = new LinkedHashMap<>();
        for (ExpertSlot s : learned) {
            double loss = s.expert().selfSupervisedLoss();
            if (!(loss >= 0) || Double.isInfinite(loss)) {
                if (routing.active().contains(s.name())) {
                    // No reconstruction of its own (the statistical expert's moments, the drift detector): scored as
                    // the features' means would be, loss 1 per standardised feature. Never rewarded, a bandit would
                    // keep it as an untried arm forever. Not its loss in insights: it reported none.
                    rewards.put(s.name(), 1 / (1 + BASELINE_SELF_SUPERVISED_LOSS));
                }
                continue;
            }
            s.lastLoss = loss;
            s.lossSum += loss * n;
            s.rowsPredicted += n;
            if (routing.active().contains(s.name())) {
                rewards.put(s.name(), 1 / (1 + loss));
            }
        }
        if (!rewards.isEmpty()) {
            router.reward(routing, rewards);
        }
    }

    /**
     * Predicts a held-out batch with the client's current model, without learning, rewarding or
     * publishing anything: the experts of the last routing (all candidates, equally weighted, before
     * the first batch) mixed with its weights. Used to measure accuracy on past tasks (forgetting).
     */
    @Override
    public Prediction evaluate(Batch batch) {
        Routing routing = lastRouting != null ? lastRouting : Routing.uniform(candidates);
        return mixer.evaluate(routing, batch, signals);
    }

    /** Applies the coordinator's parameters for this client's domain. */
    @Override
    public void apply(MetaParameters parameters) {
        for (ExpertSlot s : slots) {
            // a personal twin is what this client would learn alone: it takes nothing from the coordinator either
            if (!s.personal()) {
                s.expert().adapt(parameters, s.name());
            }
        }
        if (!parameters.routerPriors().isEmpty()) {
            router.adoptPriors(parameters.routerPriors(), priorWeight);
        }
    }

    Router router() {
        return router;
    }

    Memory memory() {
        return memory;
    }

    /** The memory's current fill. */
    public io.scarcity.api.MemoryStats memoryStats() {
        return memory.stats();
    }

    /**
     * The plugins of this client that cannot be checkpointed (they do not implement
     * {@link Checkpointable}), as {@code "kind 'name' (class)"}; empty when the client can be.
     */
    @Override
    public List<String> notCheckpointable() {
        List<String> out = new ArrayList<>();
        for (ExpertSlot s : slots) {
            if (!(s.expert() instanceof Checkpointable)) {
                out.add("expert '" + s.name() + "' (plugin " + s.plugin() + ")");
            }
        }
        if (!(router instanceof Checkpointable)) {
            out.add("router (" + router.getClass().getName() + ")");
        }
        if (!(memory instanceof Checkpointable)) {
            out.add("memory (" + memory.getClass().getName() + ")");
        }
        return out;
    }

    /**
     * Saves the client between rounds: its signals, pooled moments, last routing, metrics sinks and
     * every plugin's state, each plugin's in its own length-prefixed section so that a plugin that reads
     * back more or less than it wrote is caught and named.
     *
     * @throws IllegalStateException if a plugin is not {@link Checkpointable} (check {@link #notCheckpointable})
     */
    @Override
    public void saveState(StateWriter out) throws IOException {
        out.writeString(id);
        out.writeDoubleMap(signals.snapshot());
        moments.saveState(out);
        out.writeBoolean(lastRouting != null);
        if (lastRouting != null) {
            out.writeInt(lastRouting.active().size());
            for (String a : lastRouting.active()) {
                out.writeString(a);
            }
            out.writeDoubles(lastRouting.weights());
        }
        for (RunMetricsSink sink : sinks) {
            sink.saveState(out);
        }
        for (ExpertSlot s : slots) {
            Sections.write(out, "expert '" + s.name() + "'", s.expert());
            if (s.calibrator != null) {
                Sections.write(out, "calibration of expert '" + s.name() + "'", s.calibrator);
            }
        }
        if (mixer.combiner() != null) {
            Sections.write(out, "mixture combiner", mixer.combiner());
        }
        Sections.write(out, "router", router);
        Sections.write(out, "memory", memory);
        out.writeLong(batchesSeen);
        for (ExpertSlot s : slots) {
            out.writeBoolean(s.frozen);
        }
        if (labels != null) {
            Sections.write(out, "pending labels", labels);
        }
        if (gossipPrivacy != null) {
            Sections.write(out, "private gossip", gossipPrivacy);
        }
        if (privacy != null) {
            Sections.write(out, "privacy accountant", privacy);
        }
    }

    /**
     * Restores what {@link #saveState} wrote, on a client freshly built from the same config. A refused
     * state (truncated, of another client, a section that does not read back) changes nothing: the client's
     * own state is saved first and put back before the refusal is thrown, so no expert is left half-restored.
     */
    @Override
    public void restoreState(StateReader in) throws IOException {
        restoreAtomically(in, null);
    }

    /**
     * {@link #restoreState} from a saved state held whole, which must end where the state does: bytes left over
     * refuse it too, and a refusal changes nothing.
     */
    public void restoreState(byte[] state) throws IOException {
        java.io.ByteArrayInputStream in = new java.io.ByteArrayInputStream(state);
        restoreAtomically(new StateReader(in), in);
    }

    /** Restores from {@code in}; {@code whole}, if given, must be read to its end. Refused: the state as it was. */
    private void restoreAtomically(StateReader in, java.io.ByteArrayInputStream whole) throws IOException {
        java.io.ByteArrayOutputStream before = new java.io.ByteArrayOutputStream();
        saveState(new io.scarcity.api.StateWriter(before));
        try {
            restoreFrom(in);
            if (whole != null && whole.available() != 0) {
                throw new IOException("unexpected bytes after the saved state of client " + id);
            }
        } catch (IOException | RuntimeException e) {
            try {
                restoreFrom(new StateReader(new java.io.ByteArrayInputStream(before.toByteArray())));
            } catch (IOException | RuntimeException again) {
                e.addSuppressed(again);
            }
            throw e;
        }
    }

    private void restoreFrom(StateReader in) throws IOException {
        String saved = in.readString();
        if (!id.equals(saved)) {
            throw new IOException("expected the state of client " + id + ", found " + saved);
        }
        Map<String, Double> savedSignals = in.readDoubleMap();
        signals.clear();
        for (Map.Entry<String, Double> e : savedSignals.entrySet()) {
            signals.publish(e.getKey(), e.getValue());
        }
        moments.restoreState(in);
        if (in.readBoolean()) {
            int n = in.readInt();
            List<String> active = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                active.add(in.readString());
            }
            lastRouting = new Routing(active, in.readDoubles());
        } else {
            lastRouting = null;
        }
        for (RunMetricsSink sink : sinks) {
            sink.restoreState(in);
        }
        for (ExpertSlot s : slots) {
            Sections.read(in, "expert '" + s.name() + "'", s.expert());
            if (s.calibrator != null) {
                Sections.read(in, "calibration of expert '" + s.name() + "'", s.calibrator);
            }
        }
        if (mixer.combiner() != null) {
            Sections.read(in, "mixture combiner", mixer.combiner());
        }
        Sections.read(in, "router", router);
        Sections.read(in, "memory", memory);
        batchesSeen = in.readLong();
        for (ExpertSlot s : slots) {
            s.frozen = in.readBoolean();
        }
        if (labels != null) {
            Sections.read(in, "pending labels", labels);
        }
        if (gossipPrivacy != null) {
            Sections.read(in, "private gossip", gossipPrivacy);
        }
        if (privacy != null) {
            Sections.read(in, "privacy accountant", privacy);
        }
    }

    @Override
    public List<String> gossipableExperts(int max) {
        return gossipCandidates(max).stream().map(ExpertSlot::name).toList();
    }

    @Override
    public ClientRoundResult missedRound(int round, long missedRows) {
        coldTwin = null; // a warm start whose first round is missed goes unguarded (a twin must not outlive a round)
        return ClientRoundResult.offline(id, domain, round, schema.task() == Task.CLASSIFICATION, missedRows, memoryStats());
    }

    /** The gossipable experts, most active this round first (ties in config order), at most {@code max} (0 = all). */
    public List<ExpertSlot> gossipCandidates(int max) {
        List<ExpertSlot> g = new ArrayList<>();
        for (ExpertSlot s : slots) {
            if (shared(s) && (gossipPrivacy == null || rowSums(s) != null)) {
                g.add(s);
            }
        }
        if (gossipPrivacy == null) { // under private gossip, config order: activations follow the client's rows
            g.sort((a, b) -> Long.compare(b.activations, a.activations));
        }
        return max > 0 && g.size() > max ? g.subList(0, max) : g;
    }

    @Override
    public ExpertState exportState(String expert) {
        ExpertSlot s = byName.get(expert);
        if (gossipPrivacy != null) {
            return gossipPrivacy.export(expert, privately(s));
        }
        return s.expert().exportState();
    }

    @Override
    public void mergeState(String expert, ExpertState merged) {
        ExpertSlot s = byName.get(expert);
        if (gossipPrivacy != null) {
            gossipPrivacy.adopt(expert, merged, privately(s));
            return;
        }
        s.expert().mergeState(merged);
    }

    /** Under private gossip, the slot's row sums; a state of an expert without them never leaves the client. */
    private io.scarcity.api.RowSums privately(ExpertSlot s) {
        io.scarcity.api.RowSums r = rowSums(s);
        if (r == null || !shared(s)) {
            throw new IllegalStateException("client " + id + ": expert '" + s.name() + "' cannot gossip under privacy.dp.outputs "
                    + "gossip (it shares no row sums), so its state stays on the client");
        }
        return r;
    }
}
