package io.scarcity.runtime.federation;

import io.scarcity.api.ExpertState;
import io.scarcity.api.GossipPair;
import io.scarcity.api.MetaParameters;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What the coordinator decided at the end of a round, as a value: the {@link RoundProtocol} makes it
 * from the clients' results ({@link RoundProtocol#decide}) and delivers it to the clients' handles
 * ({@link RoundProtocol#deliver}); a networked engine sends it over the wire instead.
 *
 * @param round the round
 * @param recipients ids of the clients the decision is delivered to: online this round and not dropped
 * @param parameters meta-parameters per domain, applied by the domain's recipients
 * @param states per domain, the expert states (by expert instance) the domain's recipients adopt: weight
 *        sharing (a weight-sharing meta-learner, or {@code federation.mode: fedavg}); empty otherwise
 * @param gossip peer-to-peer exchanges the recipients make (the coordinator only pairs them)
 * @param uploadBytes bytes of expert states clients uploaded for weight sharing this round
 * @param health offline and dropped clients, consensus weights, spread, convergence
 */
public record RoundDecision(int round, Set<String> recipients, Map<String, MetaParameters> parameters,
                            Map<String, Map<String, ExpertState>> states, List<GossipPair> gossip, long uploadBytes,
                            RoundHealth health) {
    public RoundDecision {
        recipients = Set.copyOf(recipients);
        parameters = Map.copyOf(parameters);
        states = Map.copyOf(states);
        gossip = List.copyOf(gossip);
    }

    /** Whether the client with this id takes part in the delivery. */
    public boolean reaches(String client) {
        return recipients.contains(client);
    }
}
