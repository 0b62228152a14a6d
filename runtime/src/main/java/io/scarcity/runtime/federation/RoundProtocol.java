package io.scarcity.runtime.federation;

import io.scarcity.api.Checkpointable;
import io.scarcity.api.DataSchema;
import io.scarcity.api.ExpertState;
import io.scarcity.api.GossipPair;
import io.scarcity.api.GossipStrategy;
import io.scarcity.api.Insight;
import io.scarcity.api.MetaParameters;
import io.scarcity.api.Peer;
import io.scarcity.api.StandardSignals;
import io.scarcity.api.StateReader;
import io.scarcity.api.StateWriter;
import io.scarcity.runtime.checkpoint.Sections;
import io.scarcity.runtime.client.ClientHandle;
import io.scarcity.runtime.client.ClientRoundResult;
import io.scarcity.runtime.client.RoundMetrics;
import io.scarcity.runtime.client.RunMetricsSink;
import io.scarcity.runtime.config.FederationConfig;
import io.scarcity.runtime.coordinator.Coordinator;
import io.scarcity.runtime.engine.Assembly;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;

/**
 * The round protocol, in one place: what the coordinator does with a round's client results and what it
 * asks of the clients afterwards. It talks to clients only through {@link ClientHandle}s, so the
 * in-process engine (handles on a thread pool) and a networked engine (handles behind connections) share
 * it. Per round:
 * <ol>
 *   <li>{@link #decide}: each insight doubles as its client's heartbeat; silent clients are dropped;
 *       consensus weights are computed; with {@code federation.mode: federated} the coordinator stores the
 *       insights and meta-learns (a weight-sharing meta-learner first receives the reporting clients'
 *       expert states) and pairs live peers for gossip from the signals they reported; with
 *       {@code fedavg} the live clients' states are averaged by the {@code fedavg} meta-learner and nothing
 *       else is shared; with {@code local} nothing is. Convergence is tracked in every mode.</li>
 *   <li>{@link #deliver}: the decision's recipients adopt the shared states, apply their domain's
 *       meta-parameters, and the gossip pairs exchange expert states peer to peer (the coordinator never
 *       sees them; a networked fleet carries the exchanges out itself, see {@link GossipExchange}).</li>
 * </ol>
 * Bytes are counted per client as they would cross a network: insights and uploads in {@code decide},
 * downloads and gossip in {@code deliver}.
 *
 * <p>Not thread-safe: the engine's round thread only.
 */
public final class RoundProtocol implements Checkpointable {
    private final FederationConfig federation;
    private Coordinator coordinator;
    private final GossipStrategy gossip;
    /** What exchanges merge with: {@link #gossip} with the expert plugins' merge laws ({@link #mergeBy}). */
    private GossipStrategy merging;
    private MergeLaws laws = MergeLaws.NONE;
    private final ClientHealth health;
    private final ConvergenceTracker convergence;
    private final RunMetricsSink coordinatorMetrics;
    private static final System.Logger LOG = System.getLogger("io.scarcity.coordinator");
    private static final System.Logger.Level WARNING = System.Logger.Level.WARNING;
    private final List<String> clientIds;
    private final Map<String, Integer> indexOf = new HashMap<>();
    /** Who carries out gossip exchanges when not the protocol itself (a networked fleet); null: the protocol. */
    private GossipExchange fleetExchange;

    /**
     * @param clientIds every client of the run in engine order; the order of per-client arrays
     *        ({@code bytes}, {@code offline}, ...) and of the handles passed in
     */
    public RoundProtocol(FederationConfig federation, Coordinator coordinator, GossipStrategy gossip, ClientHealth health,
                         ConvergenceTracker convergence, RunMetricsSink coordinatorMetrics, List<String> clientIds) {
        this.federation = Objects.requireNonNull(federation, "federation is null");
        this.coordinator = Objects.requireNonNull(coordinator, "coordinator is null");
        this.gossip = Objects.requireNonNull(gossip, "gossip is null");
        this.merging = gossip;
        this.health = Objects.requireNonNull(health, "health is null");
        this.convergence = Objects.requireNonNull(convergence, "convergence is null");
        this.coordinatorMetrics = Objects.requireNonNull(coordinatorMetrics, "coordinatorMetrics is null");
        this.clientIds = List.copyOf(clientIds);
        for (int i = 0; i < this.clientIds.size(); i++) {
            if (indexOf.put(this.clientIds.get(i), i) != null) {
                throw new IllegalArgumentException("client id " + this.clientIds.get(i) + " appears twice");
            }
        }
    }

    public Coordinator coordinator() {
        return coordinator;
    }

    /** Moves the protocol to another coordinator (the same meta-learner over another store), before the first round. */
    public void useCoordinator(Coordinator replacement) {
        Objects.requireNonNull(replacement, "replacement is null").audit(coordinator.audit());
        this.coordinator = replacement;
    }

    /** Under {@code privacy.secureAggregation}: its settings; else null. */
    private io.scarcity.runtime.config.SecureAggregationConfig secure;
    private long secureSeed;

    /**
     * Pools each domain's feature moments by secure aggregation ({@code privacy.secureAggregation}): the clients that
     * reported in a round run the protocol through their handles, and the coordinator gets the domain's summed moments
     * as one insight of the pseudo-client {@code secure-aggregate:DOMAIN}, never a client's own.
     */
    public void aggregateMomentsSecurely(io.scarcity.runtime.config.SecureAggregationConfig config, long seed) {
        this.secure = Objects.requireNonNull(config, "config is null");
        this.secureSeed = seed;
    }

    /** Whether whole insights are summed by secure aggregation ({@code privacy.secureAggregation.insights}). */
    private boolean insightsSecurely() {
        return secure != null && secure.insights();
    }

    /** The client id under which a domain's securely aggregated moments reach the coordinator. */
    public static String aggregateOf(String domain) {
        return "secure-aggregate:" + domain;
    }

    /** Each domain's secure aggregation of the moments its reporting clients hold this round; bytes added to theirs. */
    private List<Insight> secureMoments(int round, List<? extends ClientHandle> clients, List<ClientRoundResult> results,
                                        long[] bytes) {
        Map<String, List<Integer>> byDomain = byDomain(clients, i -> results.get(i).insight() != null);
        List<Insight> out = new ArrayList<>();
        for (Map.Entry<String, List<Integer>> e : byDomain.entrySet()) {
            List<Integer> members = e.getValue();
            int features = clients.get(members.get(0)).schema().numFeatures();
            int length = io.scarcity.runtime.client.SecureMoments.length(features);
            io.scarcity.runtime.secagg.SecAggServer.Result result = secureSum(round, e.getKey(), null, ": the moments ",
                    "reported", clients, members, length, "moments", bytes, null);
            if (result.aggregated()) {
                out.add(new Insight(aggregateOf(e.getKey()), e.getKey(), round, 0, Double.NaN, Double.NaN, Map.of(), Map.of(),
                        io.scarcity.runtime.client.SecureMoments.decode(result.sum(), features)));
            }
        }
        return out;
    }

    /**
     * Under {@code privacy.secureAggregation.insights}: each domain's secure aggregation of the insights its reporting
     * clients hold this round (their moments included), as one insight of {@link #aggregateOf} with the means over them;
     * the sums over their losses are added to {@code spread} (sum, sum of squares, clients). Bytes added to theirs.
     */
    private List<Insight> secureInsights(int round, List<? extends ClientHandle> clients, List<ClientRoundResult> results,
                                         long[] bytes, double[] spread) {
        Map<String, List<Integer>> byDomain = byDomain(clients, i -> results.get(i).insight() != null);
        List<Insight> out = new ArrayList<>();
        for (Map.Entry<String, List<Integer>> e : byDomain.entrySet()) {
            List<Integer> members = new ArrayList<>(e.getValue());
            // the keys every reporting client has (they come from the domain's config, so normally all of them)
            List<String> keys = null;
            for (java.util.Iterator<Integer> it = members.iterator(); it.hasNext(); ) {
                int i = it.next();
                List<String> mine;
                try {
                    mine = new ArrayList<>(clients.get(i).secureInsightShape().weights().keySet());
                } catch (RuntimeException failed) {
                    dropped(round, clients.get(i), "shape of its insight", failed);
                    it.remove();
                    continue;
                }
                if (keys == null) {
                    keys = mine;
                } else {
                    keys.retainAll(mine);
                }
            }
            if (keys == null) {
                continue;
            }
            int features = clients.get(e.getValue().get(0)).schema().numFeatures();
            String subject = io.scarcity.runtime.client.SecureInsights.subject(keys);
            io.scarcity.runtime.secagg.SecAggServer.Result result = secureSum(round, e.getKey(), "insight", ": the insights ",
                    "reported", clients, members, io.scarcity.runtime.client.SecureInsights.length(keys, features), subject, bytes,
                    null);
            if (result.aggregated()) {
                io.scarcity.runtime.client.SecureInsights.Aggregate a = io.scarcity.runtime.client.SecureInsights.decode(
                        result.sum(), keys, aggregateOf(e.getKey()), e.getKey(), round, features);
                out.add(a.insight());
                spread[0] += a.lossSum();
                spread[1] += a.lossSquares();
                spread[2] += a.lossClients();
            }
        }
        return out;
    }

    /**
     * One secure sum of {@code subject} over {@code members} of {@code domain} (unless {@code refused} says why not),
     * with the domain's threshold and neighbourhoods; recorded in the audit log (with {@code subjectFact} when not null)
     * and, if it gave no sum, in the run's log ({@code logWhat} after the domain).
     */
    private io.scarcity.runtime.secagg.SecAggServer.Result secureSum(int round, String domain, String subjectFact, String logWhat,
            String verb, List<? extends ClientHandle> clients, List<Integer> members, int length, String subject, long[] bytes,
            String refused) {
        int n = members.size();
        int configured = clientsOf(clients, domain);
        int threshold = secure.thresholdFor(configured);
        Map<String, Object> facts = new LinkedHashMap<>();
        facts.put("round", round);
        facts.put("domain", domain);
        if (subjectFact != null) {
            facts.put("subject", subjectFact);
        }
        facts.put("clients", n);
        facts.put("threshold", threshold);
        io.scarcity.runtime.secagg.SecAggServer.Result result;
        if (refused != null) {
            result = new io.scarcity.runtime.secagg.SecAggServer.Result(null, Set.of(), refused);
        } else if (n < threshold || n < 2) {
            result = new io.scarcity.runtime.secagg.SecAggServer.Result(null, Set.of(), "could not aggregate: " + n
                    + " clients " + verb + ", fewer than the threshold " + threshold + "; nothing is revealed");
        } else {
            result = runSecureAggregation(round, clients, members, Math.min(secure.degree(configured), n - 1), threshold, length,
                    bytes, subject);
        }
        facts.put("aggregated", result.aggregated());
        if (!result.aggregated()) {
            facts.put("why", result.failure());
            LOG.log(WARNING, "round " + round + ", domain " + domain + logWhat + result.failure());
        }
        coordinator.audit().record("secure-aggregation", facts);
        return result;
    }

    private io.scarcity.runtime.secagg.SecAggServer.Result runSecureAggregation(int round, List<? extends ClientHandle> clients,
            List<Integer> members, int degree, int threshold, int length, long[] bytes, String subject) {
        List<Integer> ids = new ArrayList<>();
        for (int k = 0; k < members.size(); k++) {
            ids.add(k);
        }
        io.scarcity.runtime.secagg.SecAggServer server;
        try {
            server = new io.scarcity.runtime.secagg.SecAggServer(ids, degree, threshold, length, secureSeed ^ (31L * round));
        } catch (IllegalArgumentException e) {
            return new io.scarcity.runtime.secagg.SecAggServer.Result(null, Set.of(), "could not aggregate: " + e.getMessage());
        }
        List<io.scarcity.runtime.secagg.SecureAggregation.Participant> participants = new ArrayList<>();
        for (int i : members) {
            participants.add(participant(clients.get(i), subject));
        }
        io.scarcity.runtime.secagg.SecureAggregation.Driven d = io.scarcity.runtime.secagg.SecureAggregation.drive(server,
                participants, threshold, length, (k, step, why) -> dropped(round, clients.get(members.get(k)), step, why));
        for (int k = 0; k < members.size(); k++) {
            bytes[members.get(k)] += d.up()[k];
        }
        return d.result();
    }

    /** A client's side of the aggregation of {@code subject}, through its handle (in this process or on a host). */
    private static io.scarcity.runtime.secagg.SecureAggregation.Participant participant(ClientHandle c, String subject) {
        return new io.scarcity.runtime.secagg.SecureAggregation.Participant() {
            @Override
            public io.scarcity.runtime.secagg.SecAggClient.Keys keys(int index, int threshold) {
                return c.secureAggregationKeys(index, threshold, subject);
            }

            @Override
            public List<io.scarcity.runtime.secagg.SecAggClient.SealedShare> shares(
                    List<io.scarcity.runtime.secagg.SecAggClient.Keys> neighbours) {
                return c.secureAggregationShares(neighbours);
            }

            @Override
            public long[] maskedInput(List<io.scarcity.runtime.secagg.SecAggClient.SealedShare> forMe) {
                return c.secureAggregationInput(forMe);
            }

            @Override
            public io.scarcity.runtime.secagg.SecAggClient.Unmasking unmask(Set<Integer> stayed, Set<Integer> left) {
                return c.secureAggregationUnmask(stayed, left);
            }
        };
    }

    private static void dropped(int round, ClientHandle client, String step, RuntimeException e) {
        LOG.log(WARNING, "round " + round + ": client " + client.id() + " dropped out of the secure aggregation at its "
                + step + ": " + e.getMessage());
    }

    /**
     * Weight sharing under secure aggregation: for each domain and each gossipable expert whose merge law is the weighted
     * mean, the uploading clients' states are summed (times their samples) by secure aggregation, and the meta-learner
     * gets the sample-weighted mean as the upload of the pseudo-client {@link #aggregateOf}; an expert whose law is not a
     * weighted mean is not shared (said in the log and the audit log). Returns the bytes the clients sent.
     */
    private long secureUpload(int round, List<? extends ClientHandle> clients, java.util.function.IntPredicate uploads,
                              long[] bytes) {
        Map<String, List<Integer>> byDomain = byDomain(clients, uploads);
        long before = java.util.Arrays.stream(bytes).sum();
        for (Map.Entry<String, List<Integer>> e : byDomain.entrySet()) {
            List<Integer> members = new ArrayList<>(e.getValue());
            List<String> experts = null;
            for (java.util.Iterator<Integer> it = members.iterator(); it.hasNext() && experts == null; ) {
                int i = it.next();
                try {
                    experts = clients.get(i).gossipableExperts(0);
                } catch (RuntimeException failed) {
                    dropped(round, clients.get(i), "list of experts", failed);
                    it.remove();
                }
            }
            if (experts == null) {
                continue;
            }
            Map<String, ExpertState> shared = new TreeMap<>();
            for (String expert : experts) {
                // the arrays every uploading client has, with one length (as FedAvg averages only those): their shapes
                // are the schema's and the config's, or what has grown; not what was learned. A client that does not
                // answer leaves this aggregation.
                Map<String, Integer> common = null;
                String plugin = null;
                List<Integer> answered = new ArrayList<>();
                for (int i : members) {
                    ExpertState s;
                    try {
                        s = clients.get(i).secureAggregationShape(expert);
                    } catch (RuntimeException failed) {
                        dropped(round, clients.get(i), "shape of " + expert, failed);
                        continue;
                    }
                    answered.add(i);
                    plugin = s.expert();
                    Map<String, Integer> lengths = new TreeMap<>();
                    s.weights().forEach((k, v) -> lengths.put(k, v.length));
                    if (common == null) {
                        common = lengths;
                    } else {
                        common.entrySet().removeIf(a -> !a.getValue().equals(lengths.get(a.getKey())));
                    }
                }
                if (common == null) {
                    continue;
                }
                // a name with the separator of the subject cannot be named in it: such an array is not shared
                common.keySet().removeIf(k -> k.contains("|"));
                Map<String, double[]> zeros = new TreeMap<>();
                common.forEach((k, n) -> zeros.put(k, new double[n]));
                ExpertState full = new ExpertState(plugin, zeros, 0);
                io.scarcity.api.MergeLaw law = laws.asMap().getOrDefault(full.expert(), io.scarcity.api.MergeLaw.MEAN);
                // the arrays the law merges by the weighted mean (it may leave out arrays it carries for a better law)
                ExpertState summable = law.summable(full);
                ExpertState shape = summable == null || !full.weights().keySet().containsAll(summable.weights().keySet())
                        ? full : summable;
                String refused = summable != null && law.weightedMean(shape) ? null : "not shared: the merge law of "
                        + full.expert() + " is not a weighted mean, which secure aggregation cannot compute from sums";
                io.scarcity.runtime.secagg.SecAggServer.Result result = secureSum(round, e.getKey(), "expert:" + expert,
                        ", expert " + expert + ": ", "uploaded", clients, answered, io.scarcity.runtime.client.SecureMoments.length(shape),
                        io.scarcity.runtime.client.SecureMoments.expertSubject(expert, shape.weights().keySet()), bytes, refused);
                if (result.aggregated()) {
                    shared.put(expert, io.scarcity.runtime.client.SecureMoments.mean(result.sum(), shape, result.summed().size()));
                }
            }
            if (!shared.isEmpty()) {
                coordinator.receiveStates(round, aggregateOf(e.getKey()), e.getKey(), shared);
            }
        }
        return java.util.Arrays.stream(bytes).sum() - before;
    }

    /** The indices of the clients that {@code take} part, by domain. */
    private static Map<String, List<Integer>> byDomain(List<? extends ClientHandle> clients, java.util.function.IntPredicate take) {
        Map<String, List<Integer>> out = new TreeMap<>();
        for (int i = 0; i < clients.size(); i++) {
            if (take.test(i)) {
                out.computeIfAbsent(clients.get(i).domain(), d -> new ArrayList<>()).add(i);
            }
        }
        return out;
    }

    private static int clientsOf(List<? extends ClientHandle> clients, String domain) {
        int n = 0;
        for (ClientHandle c : clients) {
            n += c.domain().equals(domain) ? 1 : 0;
        }
        return n;
    }

    /** Records joins, round decisions and (through the coordinator) insights and broadcasts in {@code trail}. */
    public void audit(io.scarcity.runtime.audit.AuditTrail trail) {
        coordinator.audit(trail);
    }

    /**
     * Lets {@code exchange} carry out the gossip pairs' exchanges (e.g. a networked fleet's hosts, sealed end to
     * end) instead of the protocol exporting and merging states through the clients' handles.
     */
    public void useExchange(GossipExchange exchange) {
        this.fleetExchange = Objects.requireNonNull(exchange, "exchange is null");
    }

    /**
     * Merges the states of the expert plugins that declare a merge law by it ({@link MergeLaws#around}), in the
     * protocol's own exchanges and in those it hands to {@link #useExchange}; before the first round.
     */
    public void mergeBy(MergeLaws laws) {
        this.merging = Objects.requireNonNull(laws, "laws is null").around(gossip);
        this.laws = laws;
    }

    public GossipStrategy gossip() {
        return gossip;
    }

    public ConvergenceTracker convergence() {
        return convergence;
    }

    /** Coordinator-side plugin counters since the last drain. */
    public RunMetricsSink coordinatorMetrics() {
        return coordinatorMetrics;
    }

    /**
     * Starts a client from what the coordinator knows (nothing yet, or a pooled guess for its domain): its
     * domain's meta-parameters and, when the meta-learner shares weights or warm-starts from states, the states
     * its domain adopts.
     */
    public void welcome(ClientHandle client) {
        if (coordinator.audit() != io.scarcity.runtime.audit.AuditTrail.NONE) {
            Map<String, Object> facts = new LinkedHashMap<>();
            facts.put("client", coordinator.memory().pseudonym(client.id()));
            facts.put("domain", client.domain());
            coordinator.audit().record("join", facts);
        }
        client.apply(coordinator.parametersFor(client.domain(), client.schema().numFeatures()));
        if (federation.federated() && coordinator.sharesWeights()) {
            adopt(client, coordinator.statesFor(client.domain()), null);
        } else if (federation.federated() && coordinator.collectsStates()) {
            client.warmStart(coordinator.statesFor(client.domain()));
        }
    }

    /**
     * The coordinator's side of a round.
     *
     * @param clients every client, in the order of the constructor's ids
     * @param results their results of this round, same order (offline clients' carry no insight)
     * @param offline per client, whether it was offline (or not yet joined) this round
     * @param bytes per client, bytes sent; insights and state uploads are added
     */
    public RoundDecision decide(int round, List<? extends ClientHandle> clients, List<ClientRoundResult> results,
                                boolean[] offline, long[] bytes) {
        int n = clientIds.size();
        if (clients.size() != n || results.size() != n || offline.length != n || bytes.length != n) {
            throw new IllegalArgumentException("expected " + n + " clients, results, offline flags and byte counters");
        }
        List<Insight> insights = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            Insight in = results.get(i).insight();
            if (in != null) {
                // The insight doubles as the client's heartbeat.
                health.heartbeat(clientIds.get(i), round);
                insights.add(in);
            }
        }
        List<String> dropped = new ArrayList<>();
        Set<String> recipients = new LinkedHashSet<>();
        List<String> offlineIds = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            String id = clientIds.get(i);
            boolean silent = health.dropped(id, round);
            if (!offline[i] && !silent) {
                recipients.add(id);
            }
            if (silent) {
                dropped.add(id);
            }
            if (offline[i]) {
                offlineIds.add(id);
            }
        }
        Map<String, Double> weights = ConsensusWeights.of(insights, clientIds, health, round);
        Map<String, MetaParameters> params = Map.of();
        Map<String, Map<String, ExpertState>> states = new TreeMap<>();
        List<GossipPair> pairs = List.of();
        long uploadBytes = 0;
        double[] spread = new double[3];
        if (federation.federated()) {
            for (int i = 0; i < n; i++) {
                if (results.get(i).insight() != null) {
                    bytes[i] += results.get(i).insight().sizeBytes();
                }
            }
            if (coordinator.collectsStates()) {
                uploadBytes = secure != null ? secureUpload(round, clients, i -> results.get(i).insight() != null, bytes)
                        : upload(round, clients, results, bytes, i -> results.get(i).insight() != null);
            }
            List<Insight> received = insights;
            if (insightsSecurely()) {
                received = new ArrayList<>(insights);
                received.addAll(secureInsights(round, clients, results, bytes, spread));
            } else if (secure != null) {
                received = new ArrayList<>(insights);
                received.addAll(secureMoments(round, clients, results, bytes));
            }
            params = withClients(coordinator.endRound(round, received, weights), clients, recipients);
            if (coordinator.sharesWeights()) {
                states = sharedStates(clients, recipients);
            }
            pairs = planGossip(round, results, recipients);
        } else if (federation.fedavg()) {
            uploadBytes = secure != null ? secureUpload(round, clients, i -> recipients.contains(clientIds.get(i)), bytes)
                    : upload(round, clients, results, bytes, i -> recipients.contains(clientIds.get(i)));
            coordinator.aggregateUploads(round);
            states = sharedStates(clients, recipients);
        }
        // under secure insights the clients' losses are known only as sums: the spread follows from them
        boolean converged = insightsSecurely() && federation.federated()
                ? convergence.observe(ConvergenceTracker.spread(spread[0], spread[1], spread[2]), params)
                : convergence.observe(insights, params);
        if (coordinator.audit() != io.scarcity.runtime.audit.AuditTrail.NONE) {
            Map<String, Object> facts = new LinkedHashMap<>();
            facts.put("round", round);
            facts.put("insights", insights.size());
            facts.put("recipients", recipients.size());
            facts.put("offline", offlineIds.stream().map(id -> coordinator.memory().pseudonym(id)).toList());
            facts.put("dropped", dropped.stream().map(id -> coordinator.memory().pseudonym(id)).toList());
            facts.put("gossipPairs", pairs.size());
            facts.put("converged", converged);
            coordinator.audit().record("round", facts);
        }
        return new RoundDecision(round, recipients, params, states, pairs, uploadBytes,
                new RoundHealth(offlineIds, dropped, weights, convergence.lossSpread(), convergence.parameterChange(), converged));
    }

    /**
     * {@code params} with each domain's count of clients the round reaches ({@link MetaParameters#CLIENTS}): a gossip
     * pair's merge can then stand for the rows of the whole domain (the statistical expert's union law).
     */
    private static Map<String, MetaParameters> withClients(Map<String, MetaParameters> params,
                                                           List<? extends ClientHandle> clients, Set<String> recipients) {
        Map<String, Integer> reached = new TreeMap<>();
        for (ClientHandle c : clients) {
            if (recipients.contains(c.id())) {
                reached.merge(c.domain(), 1, Integer::sum);
            }
        }
        Map<String, MetaParameters> out = new TreeMap<>();
        params.forEach((domain, p) -> out.put(domain, p.with(MetaParameters.CLIENTS, reached.getOrDefault(domain, 0))));
        return out;
    }

    /** Weight sharing: the chosen clients upload their gossipable states to the coordinator. Returns the bytes. */
    private long upload(int round, List<? extends ClientHandle> clients, List<ClientRoundResult> results, long[] bytes,
                        java.util.function.IntPredicate uploads) {
        long total = 0;
        for (int i = 0; i < clients.size(); i++) {
            if (!uploads.test(i)) {
                continue;
            }
            ClientHandle c = clients.get(i);
            Map<String, ExpertState> mine = new LinkedHashMap<>();
            for (String expert : c.gossipableExperts(0)) {
                ExpertState s = c.exportState(expert);
                mine.put(expert, s);
                bytes[i] += s.sizeBytes();
                total += s.sizeBytes();
            }
            coordinator.receiveStates(round, c.id(), c.domain(), mine);
        }
        return total;
    }

    private Map<String, Map<String, ExpertState>> sharedStates(List<? extends ClientHandle> clients, Set<String> recipients) {
        Map<String, Map<String, ExpertState>> out = new TreeMap<>();
        for (ClientHandle c : clients) {
            if (recipients.contains(c.id()) && !out.containsKey(c.domain())) {
                out.put(c.domain(), coordinator.statesFor(c.domain()));
            }
        }
        return out;
    }

    /** Pairs the recipients for gossip from the signals they reported with their results. */
    private List<GossipPair> planGossip(int round, List<ClientRoundResult> results, Set<String> recipients) {
        List<Peer> peers = new ArrayList<>(recipients.size());
        for (int i = 0; i < results.size(); i++) {
            ClientRoundResult r = results.get(i);
            if (recipients.contains(clientIds.get(i))) {
                // a client under DP, or whose insight is securely aggregated, released no signals (its insight's are
                // empty): gossip is planned from what it released, in this process as over the network
                boolean noised = insightsSecurely()
                        || (r.metrics() != null && r.metrics().plugins().containsKey("privacy.epsilon"));
                peers.add(new Peer(clientIds.get(i), r.domain(), noised && r.insight() != null ? r.insight().signals()
                        : withSharedWeight(r.signals(), r.metrics())));
            }
        }
        List<GossipPair> pairs = gossip.plan(round, peers);
        for (GossipPair pair : pairs) {
            if (!recipients.contains(pair.a()) || !recipients.contains(pair.b())) {
                throw new IllegalStateException("gossip strategy paired a peer that is not taking part: " + pair);
            }
        }
        return pairs;
    }

    /**
     * A peer's signals for gossip planning, with {@link StandardSignals#FEDERATION_SHARED_WEIGHT} from its mixture's
     * weights (metrics {@code mixture.weight.NAME} and {@code mixture.weight.NAME@own}) when it has personal twins.
     */
    static Map<String, Double> withSharedWeight(Map<String, Double> signals, RoundMetrics metrics) {
        if (metrics == null) {
            return signals;
        }
        String prefix = "mixture.weight.";
        double shared = 0;
        double own = 0;
        for (Map.Entry<String, Double> e : metrics.plugins().entrySet()) {
            String key = e.getKey();
            if (key.startsWith(prefix) && key.endsWith(Assembly.PERSONAL_SUFFIX)) {
                Double mine = metrics.plugins().get(key.substring(0, key.length() - Assembly.PERSONAL_SUFFIX.length()));
                if (mine != null && Double.isFinite(mine) && Double.isFinite(e.getValue())) {
                    shared += mine;
                    own += e.getValue();
                }
            }
        }
        if (!(shared + own > 0)) {
            return signals;
        }
        Map<String, Double> out = new TreeMap<>(signals);
        out.put(StandardSignals.FEDERATION_SHARED_WEIGHT, shared / (shared + own));
        return out;
    }

    /**
     * The clients' side of a decision: recipients adopt their domain's shared states, then apply its
     * meta-parameters; then the gossip pairs exchange states. Returns the bytes the round moved between
     * clients and for weight averaging ({@code federation.mode: fedavg}: uploads and downloads).
     *
     * @param partners per client, incremented for each gossip exchange it made
     */
    public long deliver(RoundDecision decision, List<? extends ClientHandle> clients, long[] bytes, int[] partners) {
        long downloaded = 0;
        for (int i = 0; i < clients.size(); i++) {
            ClientHandle c = clients.get(i);
            Map<String, ExpertState> states = decision.states().get(c.domain());
            if (states != null && decision.reaches(c.id())) {
                downloaded += adopt(c, states, bytes);
            }
        }
        for (ClientHandle c : clients) {
            MetaParameters p = decision.parameters().get(c.domain());
            if (p != null && decision.reaches(c.id())) {
                c.apply(p);
            }
        }
        long gossiped = exchange(decision.round(), decision.gossip(), clients, bytes, partners);
        return federation.fedavg() ? decision.uploadBytes() + downloaded : gossiped;
    }

    /** A client adopts shared states (download counted when {@code bytes} is given). Returns the bytes. */
    private long adopt(ClientHandle c, Map<String, ExpertState> states, long[] bytes) {
        long total = ClientHandle.adoptEach(c, states);
        if (bytes != null) {
            bytes[indexOf.get(c.id())] += total;
        }
        return total;
    }

    /**
     * Peer-to-peer exchange: the coordinator is not involved (a {@link GossipExchange} given carries it out).
     * Returns the bytes exchanged.
     */
    private long exchange(int round, List<GossipPair> pairs, List<? extends ClientHandle> clients, long[] bytes, int[] partners) {
        List<GossipPair> compatible = new ArrayList<>();
        List<GossipExchange.Outcome> outcomes = new ArrayList<>();
        for (GossipPair pair : pairs) {
            Integer ia = indexOf.get(pair.a());
            Integer ib = indexOf.get(pair.b());
            if (ia == null || ib == null) {
                throw new IllegalStateException("gossip strategy paired an unknown peer: " + pair);
            }
            ClientHandle a = clients.get(ia);
            ClientHandle b = clients.get(ib);
            if (!sameShape(a.schema(), b.schema())) {
                coordinatorMetrics.count("gossip.skipped-incompatible", 1);
                continue;
            }
            compatible.add(pair);
            if (fleetExchange == null) {
                outcomes.add(GossipExchange.directly(a, b, merging));
            }
        }
        if (fleetExchange != null && !compatible.isEmpty()) {
            outcomes = fleetExchange.exchange(round, compatible, merging);
            if (outcomes.size() != compatible.size()) {
                throw new IllegalStateException(compatible.size() + " gossip pairs, " + outcomes.size() + " outcomes");
            }
        }
        long total = 0;
        for (int p = 0; p < compatible.size(); p++) {
            GossipExchange.Outcome o = outcomes.get(p);
            if (!o.done()) {
                coordinatorMetrics.count("gossip.skipped-" + o.skipped(), 1);
                continue;
            }
            int ia = indexOf.get(compatible.get(p).a());
            int ib = indexOf.get(compatible.get(p).b());
            bytes[ia] += o.firstBytes();
            bytes[ib] += o.secondBytes();
            total += o.firstBytes() + o.secondBytes();
            partners[ia]++;
            partners[ib]++;
        }
        return total;
    }

    private static boolean sameShape(DataSchema a, DataSchema b) {
        return a.numFeatures() == b.numFeatures() && a.task() == b.task() && a.numClasses() == b.numClasses();
    }

    /** Saves the coordinator-side state: plugin counters, health, convergence, the coordinator, the gossip strategy. */
    @Override
    public void saveState(StateWriter out) throws IOException {
        coordinatorMetrics.saveState(out);
        health.saveState(out);
        convergence.saveState(out);
        coordinator.saveState(out);
        Sections.write(out, "gossip strategy", gossip);
    }

    @Override
    public void restoreState(StateReader in) throws IOException {
        coordinatorMetrics.restoreState(in);
        health.restoreState(in);
        convergence.restoreState(in);
        coordinator.restoreState(in);
        Sections.read(in, "gossip strategy", gossip);
    }
}
