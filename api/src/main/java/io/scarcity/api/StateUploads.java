package io.scarcity.api;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * The expert states clients uploaded for one round, per domain, client (in arrival order) and expert
 * instance. Uploads of an earlier round that was never learned are dropped when a later round's arrive;
 * a client uploading twice in a round replaces its first upload (keeping its place in the order).
 * For weight-sharing meta-learners ({@link MetaLearner#sharesWeights()}): collect in
 * {@link MetaLearner#receiveStates}, {@link #take} in {@link MetaLearner#learn}. Not thread-safe: the
 * coordinator's thread only.
 */
public final class StateUploads {
    /** One client's state of one expert instance. */
    public record Upload(String client, ExpertState state) {
    }

    private int round = Integer.MIN_VALUE;
    private final Map<String, Map<String, Map<String, ExpertState>>> byDomain = new TreeMap<>();

    public void add(int round, String client, String domain, Map<String, ExpertState> states) {
        Objects.requireNonNull(client, "client is null");
        Objects.requireNonNull(domain, "domain is null");
        Objects.requireNonNull(states, "states is null");
        Map<String, ExpertState> copy = new TreeMap<>();
        states.forEach((name, state) -> copy.put(Objects.requireNonNull(name, "expert name is null"),
                Objects.requireNonNull(state, "state of '" + name + "' is null")));
        if (round != this.round) {
            byDomain.clear();
            this.round = round;
        }
        byDomain.computeIfAbsent(domain, d -> new LinkedHashMap<>()).put(client, copy);
    }

    /**
     * The uploads of {@code round} by domain and expert instance (clients in arrival order), then
     * forgets every upload. Uploads of another round are dropped.
     */
    public Map<String, Map<String, List<Upload>>> take(int round) {
        Map<String, Map<String, List<Upload>>> out = new TreeMap<>();
        if (round == this.round) {
            byDomain.forEach((domain, clients) -> {
                Map<String, List<Upload>> experts = new TreeMap<>();
                clients.forEach((client, states) -> states.forEach((name, state) ->
                        experts.computeIfAbsent(name, n -> new ArrayList<>()).add(new Upload(client, state))));
                out.put(domain, experts);
            });
        }
        byDomain.clear();
        this.round = Integer.MIN_VALUE;
        return out;
    }
}
