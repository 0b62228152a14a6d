package io.scarcity.runtime.coordinator;

import io.scarcity.api.ExpertState;
import io.scarcity.api.Insight;
import io.scarcity.api.InsightStore;
import io.scarcity.api.MetaLearner;
import io.scarcity.api.MetaParameters;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The coordinator: it holds no data source at all. It validates clients' insights ({@link InsightValidator}),
 * stores the valid ones in the global memory under client pseudonyms, runs the meta-learner on them and
 * answers with meta-parameters per domain. A rejected insight is counted per reason and logged, never
 * stored; a round's accepted insights are stored together, all or none.
 *
 * <p>Called from one thread (the engine's), between rounds.
 */
public final class Coordinator {
    /** Per domain, the last round whose insights the store held when a resumed run started; replayed, not stored again. */
    private final Map<String, Integer> storedThrough = new TreeMap<>();
    private final GlobalMemory memory;
    private final MetaLearner metaLearner;
    private final Logger log;
    private final InsightValidator validator;
    private final Map<String, Long> rejectedByReason = new TreeMap<>();
    private long rejected;
    private io.scarcity.runtime.audit.AuditTrail audit = io.scarcity.runtime.audit.AuditTrail.NONE;

    /** Records every insight accepted or rejected (by hash) and every broadcast in {@code trail}. */
    public void audit(io.scarcity.runtime.audit.AuditTrail trail) {
        this.audit = Objects.requireNonNull(trail, "trail is null");
    }

    public io.scarcity.runtime.audit.AuditTrail audit() {
        return audit;
    }

    /** A coordinator that accepts any expert name (see {@link InsightValidator#anyExpert()}). */
    public Coordinator(GlobalMemory memory, MetaLearner metaLearner, Logger log) {
        this(memory, metaLearner, log, InsightValidator.anyExpert());
    }

    public Coordinator(GlobalMemory memory, MetaLearner metaLearner, Logger log, InsightValidator validator) {
        this.memory = Objects.requireNonNull(memory, "memory is null");
        this.metaLearner = Objects.requireNonNull(metaLearner, "metaLearner is null");
        this.log = Objects.requireNonNull(log, "log is null");
        this.validator = Objects.requireNonNull(validator, "validator is null");
    }

    /**
     * Ends a round: stores the valid insights, learns, and returns parameters for each domain that sent
     * any. The meta-learner sees the insights as stored, with client pseudonyms.
     */
    public Map<String, MetaParameters> endRound(int round, List<Insight> insights) {
        return endRound(round, insights, Map.of());
    }

    /**
     * Ends a round as {@link #endRound(int, List)}, handing the meta-learner each client's consensus
     * weight (reliability x quality x volume). The weights are keyed by client id here and re-keyed by
     * pseudonym for the meta-learner, like the insights it sees.
     */
    public Map<String, MetaParameters> endRound(int round, List<Insight> insights, Map<String, Double> clientWeights) {
        Objects.requireNonNull(insights, "insights is null");
        Objects.requireNonNull(clientWeights, "clientWeights is null");
        List<Insight> accepted = new ArrayList<>(insights.size());
        for (Insight i : insights) {
            Optional<InsightValidator.Rejection> problem = validator.check(i, round);
            if (audit != io.scarcity.runtime.audit.AuditTrail.NONE) {
                Map<String, Object> facts = new java.util.LinkedHashMap<>();
                facts.put("round", round);
                facts.put("client", memory.pseudonym(i.client()));
                facts.put("domain", i.domain());
                facts.put("sha256", io.scarcity.runtime.audit.AuditTrail.sha256(InsightCodec.encode(i)));
                facts.put("accepted", problem.isEmpty());
                problem.ifPresent(p -> facts.put("reason", p.reason().label()));
                audit.record("insight", facts);
            }
            if (problem.isEmpty()) {
                accepted.add(i);
            } else {
                rejected++;
                rejectedByReason.merge(problem.get().reason().label(), 1L, Long::sum);
                // the pseudonym, not the client id: the coordinator keeps no identities, in its log neither
                log.log(Level.WARNING, "rejected insight from client " + memory.pseudonym(i.client()).substring(0, 12)
                        + " (domain " + i.domain() + ", round " + i.round() + "): " + problem.get());
            }
        }
        List<Insight> fresh = new ArrayList<>(accepted.size());
        List<Insight> replayed = new ArrayList<>();
        for (Insight i : accepted) {
            (round <= storedThrough.getOrDefault(i.domain(), 0) ? replayed : fresh).add(i);
        }
        List<Insight> stored;
        InsightStore view = memory;
        if (replayed.isEmpty()) {
            stored = memory.addAll(fresh);
        } else {
            // A resumed run replays rounds after its checkpoint that the store already holds (their insights were
            // committed before the interruption): they are not stored twice, and the meta-learner sees the store
            // as it was at the end of this round.
            List<Insight> added = memory.addAll(fresh);
            List<Insight> again = memory.pseudonymised(replayed);
            stored = new ArrayList<>(accepted.size());
            int a = 0;
            int b = 0;
            for (Insight i : accepted) {
                stored.add(round <= storedThrough.getOrDefault(i.domain(), 0) ? again.get(b++) : added.get(a++));
            }
        }
        if (!storedThrough.isEmpty() && round <= java.util.Collections.max(storedThrough.values())) {
            // a replayed round, even one without accepted insights: the store as it was at its end
            view = memory.asOf(round);
        }
        Map<String, Double> weights = new TreeMap<>();
        clientWeights.forEach((client, w) -> weights.put(memory.pseudonym(client), w));
        Map<String, MetaParameters> learned = metaLearner.learn(round, stored, view, weights);
        if (learned == null) {
            throw new IllegalStateException("meta-learner returned null parameters");
        }
        if (audit != io.scarcity.runtime.audit.AuditTrail.NONE) {
            for (Map.Entry<String, MetaParameters> e : new TreeMap<>(learned).entrySet()) {
                Map<String, Object> facts = new java.util.LinkedHashMap<>();
                facts.put("round", round);
                facts.put("domain", e.getKey());
                facts.put("sha256", io.scarcity.runtime.audit.AuditTrail.sha256(InsightCodec.encodeParameters(e.getValue())));
                audit.record("broadcast", facts);
            }
        }
        return new TreeMap<>(learned);
    }

    /** Whether the meta-learner can be checkpointed. */
    public boolean checkpointable() {
        return metaLearner instanceof io.scarcity.api.Checkpointable;
    }

    /** Saves the rejection counts, the store's state (see {@link GlobalMemory#saveState}) and the meta-learner's. */
    public void saveState(io.scarcity.api.StateWriter out) throws java.io.IOException {
        out.writeLong(rejected);
        out.writeInt(rejectedByReason.size());
        for (Map.Entry<String, Long> e : rejectedByReason.entrySet()) {
            out.writeString(e.getKey());
            out.writeLong(e.getValue());
        }
        io.scarcity.runtime.checkpoint.Sections.write(out, "coordinator store", memory);
        io.scarcity.runtime.checkpoint.Sections.write(out, "meta-learner", metaLearner);
    }

    /**
     * Restores what {@link #saveState} wrote and remembers, per domain, the last round the store already
     * holds, so that replayed rounds are not stored twice.
     */
    public void restoreState(io.scarcity.api.StateReader in) throws java.io.IOException {
        rejected = in.readLong();
        rejectedByReason.clear();
        int n = in.readInt();
        for (int i = 0; i < n; i++) {
            rejectedByReason.put(in.readString(), in.readLong());
        }
        io.scarcity.runtime.checkpoint.Sections.read(in, "coordinator store", memory);
        io.scarcity.runtime.checkpoint.Sections.read(in, "meta-learner", metaLearner);
        storedThrough.clear();
        for (String d : memory.domains()) {
            storedThrough.put(d, memory.lastRound(d));
        }
    }

    /** Per domain, the last round already in the store when the run resumed (empty for a fresh run). */
    public Map<String, Integer> storedThrough() {
        return new TreeMap<>(storedThrough);
    }

    /**
     * Hands a client's expert states to a weight-sharing meta-learner under the client's pseudonym, the
     * id its insights carry in the meta-learner's view (see {@link MetaLearner#receiveStates}).
     */
    public void receiveStates(int round, String client, String domain, Map<String, ExpertState> states) {
        metaLearner.receiveStates(round, memory.pseudonym(Objects.requireNonNull(client, "client is null")), domain, states);
    }

    /**
     * Whether clients upload their expert states after each round: the meta-learner shares weights, or pools
     * states to warm-start clients that join ({@link io.scarcity.api.MetaLearner#warmStartsFromStates}).
     */
    public boolean collectsStates() {
        return metaLearner.sharesWeights() || metaLearner.warmStartsFromStates();
    }

    /** Whether the meta-learner shares weights (takes clients' expert states and hands back states to adopt). */
    public boolean sharesWeights() {
        return metaLearner.sharesWeights();
    }

    /** The expert states (by expert instance) a weight-sharing meta-learner has clients of the domain adopt; empty otherwise. */
    public Map<String, ExpertState> statesFor(String domain) {
        Map<String, ExpertState> s = metaLearner.statesFor(domain);
        return s == null ? Map.of() : s;
    }

    /**
     * Aggregates the states received this round without any insight: weight averaging alone
     * ({@code federation.mode: fedavg}); nothing is stored and no meta-parameters result.
     */
    public void aggregateUploads(int round) {
        metaLearner.learn(round, List.of(), memory);
    }

    /** Parameters for a domain (a cold-start guess for an unknown one). */
    public MetaParameters parametersFor(String domain, int features) {
        MetaParameters p = metaLearner.parametersFor(domain, features);
        if (p == null) {
            throw new IllegalStateException("meta-learner " + metaLearner.getClass().getName()
                    + " returned null parameters for domain " + domain + " (MetaParameters.none is the empty answer)");
        }
        return p;
    }

    public GlobalMemory memory() {
        return memory;
    }

    public InsightValidator validator() {
        return validator;
    }

    public long rejected() {
        return rejected;
    }

    /** Rejected insights per reason ({@link InsightValidator.Reason#label()}). */
    public Map<String, Long> rejectedByReason() {
        return new TreeMap<>(rejectedByReason);
    }
}
