package io.scarcity.api;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Base of weight-sharing meta-learners (FedAvg, Reptile, ...): collects the states clients upload,
 * hands each round's finite uploads per domain and expert to {@link #aggregate}, keeps the result as
 * what clients adopt ({@link #statesFor}), and learns no meta-parameters: {@link #learn} answers each
 * domain with parameters that say nothing, stamped with the round.
 *
 * <p>It is {@link Checkpointable}: a checkpoint holds the states clients adopt per domain and expert
 * instance (which {@link #aggregate} receives as {@code previous}), the last round each domain had
 * insights, and the uploads received but not yet learned. A subclass that keeps state of its own between
 * rounds saves it in {@link #saveSubclassState} and restores it in {@link #restoreSubclassState}.
 *
 * <p>Not thread-safe: the coordinator's thread only.
 */
public abstract class WeightSharingMetaLearner implements MetaLearner, Checkpointable {
    /** Version of the checkpoint format of this base (a subclass's own state is versioned by the subclass). */
    static final int STATE_VERSION = 1;

    private final StateUploads uploads = new StateUploads();
    /** The run's expert plugins' merge laws by plugin name (not checkpointed: they follow from the configuration). */
    private Map<String, MergeLaw> laws = Map.of();
    private final Map<String, Map<String, ExpertState>> shared = new TreeMap<>();
    private final Map<String, Integer> rounds = new TreeMap<>();
    /**
     * What {@link #uploads} holds, which it does not reveal: the round and, per domain, each client's
     * states in arrival order (a client uploading again keeps its place, as in {@link StateUploads}). The
     * same immutable states, not copies. A checkpoint saves it and a restore replays it into the uploads.
     */
    private int pendingRound = Integer.MIN_VALUE;
    private final Map<String, Map<String, Map<String, ExpertState>>> pending = new TreeMap<>();

    /**
     * The state clients of a domain adopt for one expert instance, from this round's uploads.
     *
     * @param uploads the round's uploads of the expert in the domain, all finite, at least one, clients in arrival order
     * @param previous what clients adopted after the last round, or {@code null} the first time
     * @param clientWeights consensus weights by client id, or {@code null} if the runtime gave none
     * @return never {@code null}
     */
    protected abstract ExpertState aggregate(List<StateUploads.Upload> uploads, ExpertState previous,
                                             Map<String, Double> clientWeights);

    /**
     * Hands over the merge laws of the run's expert plugins ({@link ExpertFactory#mergeLaw}), by plugin
     * name; the runtime calls it once, before the first round. A state whose {@link ExpertState#expert()}
     * names none merges by the element-wise mean.
     *
     * @param laws never {@code null}
     */
    public final void useMergeLaws(Map<String, MergeLaw> laws) {
        this.laws = Map.copyOf(Objects.requireNonNull(laws, "laws is null"));
    }

    /**
     * The merge law of the plugin that exported {@code state}, if its factory declares one
     * ({@link #useMergeLaws}); for {@link #aggregate}.
     */
    protected final java.util.Optional<MergeLaw> lawOf(ExpertState state) {
        return java.util.Optional.ofNullable(laws.get(Objects.requireNonNull(state, "state is null").expert()));
    }

    /**
     * The weighted merge of several states of one expert instance: its plugin's law ({@link #lawOf}), else
     * {@link ExpertState#weightedMean}.
     */
    protected final ExpertState merge(List<ExpertState> states, double[] weights) {
        return lawOf(states.get(0)).orElse(MergeLaw.MEAN).merge(states, weights);
    }

    @Override
    public final boolean sharesWeights() {
        return true;
    }

    @Override
    public final void receiveStates(int round, String client, String domain, Map<String, ExpertState> states) {
        uploads.add(round, client, domain, states);
        if (round != pendingRound) {
            pending.clear();
            pendingRound = round;
        }
        pending.computeIfAbsent(domain, d -> new LinkedHashMap<>()).put(client, new TreeMap<>(states));
    }

    @Override
    public final Map<String, MetaParameters> learn(int round, List<Insight> insights, InsightStore store) {
        return learn(round, insights, store, null, false);
    }

    @Override
    public final Map<String, MetaParameters> learn(int round, List<Insight> insights, InsightStore store,
                                                   Map<String, Double> clientWeights) {
        Objects.requireNonNull(clientWeights, "clientWeights is null");
        return learn(round, insights, store, clientWeights, true);
    }

    private Map<String, MetaParameters> learn(int round, List<Insight> insights, InsightStore store,
                                              Map<String, Double> clientWeights, boolean weighed) {
        Objects.requireNonNull(insights, "insights is null");
        Objects.requireNonNull(store, "store is null");
        pending.clear();
        pendingRound = Integer.MIN_VALUE;
        uploads.take(round).forEach((domain, experts) -> {
            Map<String, ExpertState> states = shared.computeIfAbsent(domain, d -> new TreeMap<>());
            experts.forEach((expert, all) -> {
                List<StateUploads.Upload> usable = new ArrayList<>(all.size());
                for (StateUploads.Upload u : all) {
                    if (u.state().isFinite()) {
                        usable.add(u);
                    }
                }
                if (!usable.isEmpty()) {
                    states.put(expert, aggregate(usable, states.get(expert), weighed ? clientWeights : null));
                }
            });
        });
        Map<String, MetaParameters> out = new TreeMap<>();
        for (Insight insight : insights) {
            Objects.requireNonNull(insight, "insight is null");
            if (!out.containsKey(insight.domain())) {
                int dim = insight.moments().dimensions();
                out.put(insight.domain(), silent(insight.domain(), round, dim));
                rounds.merge(insight.domain(), round, Math::max);
            }
        }
        return out;
    }

    @Override
    public final Map<String, ExpertState> statesFor(String domain) {
        Objects.requireNonNull(domain, "domain is null");
        Map<String, ExpertState> s = shared.get(domain);
        return s == null ? Map.of() : Collections.unmodifiableMap(new TreeMap<>(s));
    }

    @Override
    public final MetaParameters parametersFor(String domain, int features) {
        Objects.requireNonNull(domain, "domain is null");
        if (features < 0) {
            throw new IllegalArgumentException("features must be >= 0, got " + features);
        }
        Integer round = rounds.get(domain);
        return round == null ? MetaParameters.none(domain, features) : silent(domain, round, features);
    }

    private static MetaParameters silent(String domain, int round, int features) {
        return new MetaParameters(domain, round, Map.of(), Map.of(),
                new FeatureMoments(0, new double[features], new double[features]), Map.of());
    }

    /**
     * Writes the adopted states, the rounds, the pending uploads, then the subclass's state
     * ({@link #saveSubclassState}).
     */
    @Override
    public final void saveState(StateWriter out) throws IOException {
        Objects.requireNonNull(out, "out is null");
        out.writeVersion(STATE_VERSION);
        out.writeInt(shared.size());
        for (Map.Entry<String, Map<String, ExpertState>> domain : shared.entrySet()) {
            out.writeString(domain.getKey());
            writeStates(out, domain.getValue());
        }
        out.writeInt(rounds.size());
        for (Map.Entry<String, Integer> e : rounds.entrySet()) {
            out.writeString(e.getKey());
            out.writeInt(e.getValue());
        }
        out.writeInt(pendingRound);
        out.writeInt(pending.size());
        for (Map.Entry<String, Map<String, Map<String, ExpertState>>> domain : pending.entrySet()) {
            out.writeString(domain.getKey());
            out.writeInt(domain.getValue().size());
            for (Map.Entry<String, Map<String, ExpertState>> client : domain.getValue().entrySet()) {
                out.writeString(client.getKey());
                writeStates(out, client.getValue());
            }
        }
        saveSubclassState(out);
    }

    /**
     * Restores what {@link #saveState} wrote, on a fresh instance, then the subclass's state
     * ({@link #restoreSubclassState}).
     */
    @Override
    public final void restoreState(StateReader in) throws IOException {
        Objects.requireNonNull(in, "in is null");
        in.readVersion(getClass().getSimpleName(), STATE_VERSION);
        Map<String, Map<String, ExpertState>> newShared = new TreeMap<>();
        int domains = count(in, "domains");
        for (int d = 0; d < domains; d++) {
            String domain = name(in, "domain");
            if (newShared.put(domain, readStates(in)) != null) {
                throw corrupt("domain '" + domain + "' twice");
            }
        }
        Map<String, Integer> newRounds = new TreeMap<>();
        int roundCount = count(in, "rounds");
        for (int i = 0; i < roundCount; i++) {
            String domain = name(in, "domain");
            if (newRounds.put(domain, in.readInt()) != null) {
                throw corrupt("round of domain '" + domain + "' twice");
            }
        }
        int newPendingRound = in.readInt();
        Map<String, Map<String, Map<String, ExpertState>>> newPending = new TreeMap<>();
        int pendingDomains = count(in, "domains with uploads");
        for (int d = 0; d < pendingDomains; d++) {
            String domain = name(in, "domain");
            Map<String, Map<String, ExpertState>> clients = new LinkedHashMap<>();
            int n = count(in, "clients");
            for (int c = 0; c < n; c++) {
                String client = name(in, "client");
                if (clients.put(client, readStates(in)) != null) {
                    throw corrupt("upload of client '" + client + "' twice in domain '" + domain + "'");
                }
            }
            if (newPending.put(domain, clients) != null) {
                throw corrupt("uploads of domain '" + domain + "' twice");
            }
        }
        if (!newPending.isEmpty() && newPendingRound == Integer.MIN_VALUE) {
            throw corrupt("uploads without a round");
        }
        restoreSubclassState(in);

        shared.clear();
        shared.putAll(newShared);
        rounds.clear();
        rounds.putAll(newRounds);
        pending.clear();
        pendingRound = Integer.MIN_VALUE;
        // Replaying the uploads in their order rebuilds the uploads (and this record of them) exactly.
        newPending.forEach((domain, clients) -> clients.forEach((client, states) ->
                receiveStates(newPendingRound, client, domain, states)));
    }

    /**
     * Writes the state a subclass keeps between rounds, after the base's. Default: nothing, for
     * subclasses whose only state is what {@link #aggregate} returns (kept by this base).
     */
    protected void saveSubclassState(StateWriter out) throws IOException {
    }

    /**
     * Reads what {@link #saveSubclassState} wrote, on a fresh instance; throws an {@link IOException}
     * naming what does not fit. Called before the base's restored state is applied, so a failure leaves
     * the base unchanged. Default: nothing.
     */
    protected void restoreSubclassState(StateReader in) throws IOException {
    }

    private static void writeStates(StateWriter out, Map<String, ExpertState> states) throws IOException {
        out.writeInt(states.size());
        for (Map.Entry<String, ExpertState> e : states.entrySet()) {
            out.writeString(e.getKey());
            out.writeExpertState(e.getValue());
        }
    }

    private Map<String, ExpertState> readStates(StateReader in) throws IOException {
        Map<String, ExpertState> states = new TreeMap<>();
        int n = count(in, "expert states");
        for (int i = 0; i < n; i++) {
            String name = name(in, "expert instance");
            if (states.put(name, in.readExpertState()) != null) {
                throw corrupt("state of expert '" + name + "' twice");
            }
        }
        return states;
    }

    private int count(StateReader in, String what) throws IOException {
        int n = in.readInt();
        if (n < 0 || n > StateReader.MAX_LENGTH) {
            throw corrupt(n + " " + what);
        }
        return n;
    }

    private String name(StateReader in, String what) throws IOException {
        String name = in.readString();
        if (name == null) {
            throw corrupt("a " + what + " without a name");
        }
        return name;
    }

    private IOException corrupt(String what) {
        return new IOException(getClass().getSimpleName() + ": corrupt checkpoint, " + what);
    }

    /** Each upload's sample count, as weights. */
    protected static double[] samples(List<StateUploads.Upload> uploads) {
        double[] w = new double[uploads.size()];
        for (int k = 0; k < w.length; k++) {
            w[k] = uploads.get(k).state().samples();
        }
        return w;
    }

    /** The uploads' states, in order. */
    protected static List<ExpertState> states(List<StateUploads.Upload> uploads) {
        List<ExpertState> s = new ArrayList<>(uploads.size());
        for (StateUploads.Upload u : uploads) {
            s.add(u.state());
        }
        return s;
    }
}
