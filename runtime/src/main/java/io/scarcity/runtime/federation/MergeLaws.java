package io.scarcity.runtime.federation;

import io.scarcity.api.ExpertState;
import io.scarcity.api.GossipPair;
import io.scarcity.api.GossipStrategy;
import io.scarcity.api.MergeLaw;
import io.scarcity.api.Peer;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * The merge laws of a run's expert plugins ({@link io.scarcity.api.ExpertFactory#mergeLaw}), by plugin name:
 * a state whose {@link ExpertState#expert()} names one merges by it, every other state by the gossip strategy's
 * {@link GossipStrategy#merge} (the element-wise mean unless the strategy says otherwise). Immutable.
 */
public final class MergeLaws {
    /** No plugin declares a law. */
    public static final MergeLaws NONE = new MergeLaws(Map.of());

    private final Map<String, MergeLaw> laws;

    public MergeLaws(Map<String, MergeLaw> laws) {
        this.laws = Map.copyOf(new TreeMap<>(Objects.requireNonNull(laws, "laws is null")));
    }

    /** The laws by plugin name. */
    public Map<String, MergeLaw> asMap() {
        return laws;
    }

    /**
     * A view of {@code gossip} for merging: {@code merge} applies the state's plugin law if there is one, else
     * {@code gossip}'s; {@code plan} and {@code expertsPerExchange} are {@code gossip}'s. Only merges go through it:
     * the strategy itself stays what is planned with and checkpointed.
     */
    public GossipStrategy around(GossipStrategy gossip) {
        Objects.requireNonNull(gossip, "gossip is null");
        if (laws.isEmpty()) {
            return gossip;
        }
        return new GossipStrategy() {
            @Override
            public List<GossipPair> plan(int round, List<Peer> peers) {
                return gossip.plan(round, peers);
            }

            @Override
            public ExpertState merge(ExpertState mine, ExpertState theirs) {
                MergeLaw law = laws.get(mine.expert());
                return law != null && mine.expert().equals(theirs.expert()) ? law.merge(mine, theirs) : gossip.merge(mine, theirs);
            }

            @Override
            public int expertsPerExchange() {
                return gossip.expertsPerExchange();
            }
        };
    }
}
