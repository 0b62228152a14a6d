package io.scarcity.runtime.federation;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.scarcity.api.GossipPair;
import io.scarcity.api.GossipStrategy;
import io.scarcity.runtime.federation.RoundProtocolTest.FakeClient;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A fleet that carries out gossip itself: the protocol hands it the pairs and counts what it reports. */
class GossipExchangeTest {
    @Test
    void theProtocolHandsThePairsInOrderToTheFleetAndCountsItsOutcomes() {
        List<FakeClient> clients = List.of(new FakeClient("a", "d", 1, 10), new FakeClient("b", "d", 3, 30),
                new FakeClient("c", "d", 5, 10), new FakeClient("e", "d", 7, 10));
        RoundProtocolTest.InOrder gossip = new RoundProtocolTest.InOrder();
        RoundProtocol p = RoundProtocolTest.protocol("federated", new RoundProtocolTest.StampingMetaLearner(), gossip, clients);
        List<String> asked = new ArrayList<>();
        p.useExchange((round, pairs, strategy) -> {
            assertSame(gossip, strategy, "the run's strategy");
            asked.add(round + " " + pairs);
            return List.of(GossipExchange.Outcome.exchanged(7, 9), GossipExchange.Outcome.skipped("refused"));
        });
        boolean[] offline = new boolean[4];
        long[] bytes = new long[4];
        RoundDecision d = p.decide(2, clients, RoundProtocolTest.play(clients, 2, offline), offline, bytes);
        long[] before = bytes.clone();
        int[] partners = new int[4];
        long gossiped = p.deliver(d, clients, bytes, partners);

        assertEquals(List.of("2 " + List.of(new GossipPair("a", "b"), new GossipPair("c", "e"))), asked);
        assertEquals(16, gossiped, "the sizes the fleet reported, the refused pair not counted");
        assertArrayEquals(new long[] {before[0] + 7, before[1] + 9, before[2], before[3]}, bytes);
        assertArrayEquals(new int[] {1, 1, 0, 0}, partners, "a refused pair has no partners");
        assertEquals(Map.of("gossip.skipped-refused", 1.0), p.coordinatorMetrics().totals());
        for (FakeClient c : clients) {
            assertEquals(List.of("run 2", "apply d@2"), c.calls, "the protocol itself exports and merges nothing");
        }
    }
}
