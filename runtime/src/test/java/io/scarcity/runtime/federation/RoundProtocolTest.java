package io.scarcity.runtime.federation;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scarcity.api.Batch;
import io.scarcity.api.DataSchema;
import io.scarcity.api.ExpertState;
import io.scarcity.api.FeatureMoments;
import io.scarcity.api.GossipPair;
import io.scarcity.api.GossipStrategy;
import io.scarcity.api.Insight;
import io.scarcity.api.InsightStore;
import io.scarcity.api.MemoryStats;
import io.scarcity.api.MetaLearner;
import io.scarcity.api.MetaParameters;
import io.scarcity.api.Peer;
import io.scarcity.api.Prediction;
import io.scarcity.api.StateReader;
import io.scarcity.api.StateUploads;
import io.scarcity.api.StateWriter;
import io.scarcity.api.Task;
import io.scarcity.api.WeightSharingMetaLearner;
import io.scarcity.runtime.client.ClientHandle;
import io.scarcity.runtime.client.ClientRoundResult;
import io.scarcity.runtime.client.RoundMetrics;
import io.scarcity.runtime.client.RunMetricsSink;
import io.scarcity.runtime.config.FederationConfig;
import io.scarcity.runtime.coordinator.Coordinator;
import io.scarcity.runtime.coordinator.GlobalMemory;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * The round protocol driven through handles that are not {@link io.scarcity.runtime.client.ClientNode}s, as a
 * networked engine's will be: what reaches whom, what is uploaded, what bytes are counted.
 */
class RoundProtocolTest {
    static final DataSchema SCHEMA = new DataSchema(List.of("x"), Task.CLASSIFICATION, List.of("a", "b"));

    /** A client that records what the protocol asked of it; its one gossipable expert "e" holds {value}. */
    static final class FakeClient implements ClientHandle {
        final String id;
        final String domain;
        double value;
        long samples;
        final List<String> calls = new ArrayList<>();
        final Map<String, Double> board = new TreeMap<>();
        /** What its round's metrics report under {@code plugins} (e.g. the mixture's weights). */
        final Map<String, Double> plugins = new TreeMap<>();

        FakeClient(String id, String domain, double value, long samples) {
            this.id = id;
            this.domain = domain;
            this.value = value;
            this.samples = samples;
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
            return SCHEMA;
        }

        @Override
        public ClientRoundResult runRound(int round, List<Batch> batches) {
            calls.add("run " + round);
            Insight insight = new Insight(id, domain, round, samples, 0.5, 0.5, Map.of(), Map.copyOf(board),
                    new FeatureMoments(0, new double[1], new double[1]));
            return new ClientRoundResult(id, domain, round, true, samples, samples, samples / 2, samples / 2.0, 0, null, List.of(),
                    new RoundMetrics(Map.of(), Map.copyOf(plugins), 0, 0), Map.copyOf(board), new MemoryStats(Map.of(), 0), insight, 0, 0);
        }

        @Override
        public ClientRoundResult missedRound(int round, long missedRows) {
            calls.add("missed " + round);
            return ClientRoundResult.offline(id, domain, round, true, missedRows, new MemoryStats(Map.of(), 0));
        }

        @Override
        public void apply(MetaParameters parameters) {
            calls.add("apply " + parameters.domain() + "@" + parameters.round());
        }

        @Override
        public List<String> gossipableExperts(int max) {
            return List.of("e");
        }

        @Override
        public ExpertState exportState(String expert) {
            calls.add("export " + expert);
            return new ExpertState(expert, Map.of("w", new double[] {value}), samples);
        }

        @Override
        public void mergeState(String expert, ExpertState merged) {
            calls.add("merge " + expert);
            value = merged.weight("w")[0];
        }

        @Override
        public Map<String, Double> signals() {
            return Map.copyOf(board);
        }

        @Override
        public Prediction evaluate(Batch batch) {
            throw new UnsupportedOperationException();
        }

        @Override
        public List<String> notCheckpointable() {
            return List.of();
        }

        @Override
        public void saveState(StateWriter out) {
        }

        @Override
        public void restoreState(StateReader in) {
        }
    }

    /** Answers every domain that sent insights with parameters stamped with the round. */
    static class StampingMetaLearner implements MetaLearner {
        @Override
        public Map<String, MetaParameters> learn(int round, List<Insight> insights, InsightStore store) {
            Map<String, MetaParameters> out = new TreeMap<>();
            for (Insight i : insights) {
                out.put(i.domain(), new MetaParameters(i.domain(), round, Map.of(), Map.of(),
                        new FeatureMoments(0, new double[1], new double[1]), Map.of()));
            }
            return out;
        }

        @Override
        public MetaParameters parametersFor(String domain, int features) {
            return MetaParameters.none(domain, features);
        }
    }

    /** Sample-weighted mean of the uploads. */
    static final class Averaging extends WeightSharingMetaLearner {
        @Override
        protected ExpertState aggregate(List<StateUploads.Upload> uploads, ExpertState previous, Map<String, Double> weights) {
            List<ExpertState> states = uploads.stream().map(StateUploads.Upload::state).toList();
            return ExpertState.weightedMean(states, states.stream().mapToDouble(ExpertState::samples).toArray());
        }
    }

    /** Pairs peers in the order given: (0,1), (2,3), ... */
    static final class InOrder implements GossipStrategy {
        List<Peer> lastPeers;

        @Override
        public List<GossipPair> plan(int round, List<Peer> peers) {
            lastPeers = peers;
            List<GossipPair> out = new ArrayList<>();
            for (int i = 0; i + 1 < peers.size(); i += 2) {
                out.add(new GossipPair(peers.get(i).id(), peers.get(i + 1).id()));
            }
            return out;
        }
    }

    static RoundProtocol protocol(String mode, MetaLearner learner, GossipStrategy gossip, List<FakeClient> clients) {
        List<String> ids = clients.stream().map(FakeClient::id).toList();
        Coordinator coordinator = new Coordinator(GlobalMemory.inMemory(100), learner, System.getLogger("test"));
        return new RoundProtocol(new FederationConfig(mode, false), coordinator, gossip, new ClientHealth(ids, 1, 4),
                new ConvergenceTracker(0, 0, 3), new RunMetricsSink(), ids);
    }

    static List<ClientRoundResult> play(List<FakeClient> clients, int round, boolean[] offline) {
        List<ClientRoundResult> out = new ArrayList<>();
        for (int i = 0; i < clients.size(); i++) {
            out.add(offline[i] ? clients.get(i).missedRound(round, 10) : clients.get(i).runRound(round, List.of()));
        }
        return out;
    }

    @Test
    void federatedRoundsReachOnlyOnlineClientsAndGossipPairsThemFromTheSignalsTheyReported() {
        List<FakeClient> clients = List.of(new FakeClient("a", "d1", 1, 10), new FakeClient("b", "d1", 3, 30),
                new FakeClient("c", "d2", 5, 10), new FakeClient("off", "d2", 7, 10));
        clients.get(0).board.put("peer.sig.0", 0.25);
        InOrder gossip = new InOrder();
        RoundProtocol p = protocol("federated", new StampingMetaLearner(), gossip, clients);
        boolean[] offline = {false, false, false, true};
        List<ClientRoundResult> results = play(clients, 1, offline);
        long[] bytes = new long[4];
        RoundDecision d = p.decide(1, clients, results, offline, bytes);

        assertEquals(java.util.Set.of("a", "b", "c"), d.recipients());
        assertEquals(java.util.Set.of("d1", "d2"), d.parameters().keySet(), "every domain that reported");
        assertEquals(2.0, d.parameters().get("d1").values().get(MetaParameters.CLIENTS), "the clients of d1 the round reached");
        assertEquals(1.0, d.parameters().get("d2").values().get(MetaParameters.CLIENTS), "d2's offline client is not counted");
        assertEquals(List.of(new GossipPair("a", "b")), d.gossip(), "live peers only, in client order");
        assertEquals(Map.of("peer.sig.0", 0.25), gossip.lastPeers.get(0).signals(), "the signals the client reported");
        assertEquals(List.of("off"), d.health().offline());
        assertTrue(d.states().isEmpty(), "no weight sharing with this meta-learner");
        for (int i = 0; i < 3; i++) {
            assertEquals(results.get(i).insight().sizeBytes(), bytes[i], "insight bytes counted in decide");
        }
        assertEquals(0, bytes[3]);

        int[] partners = new int[4];
        long gossiped = p.deliver(d, clients, bytes, partners);
        assertEquals(List.of("run 1", "apply d1@1", "export e", "merge e"), clients.get(0).calls);
        assertEquals(List.of("run 1", "apply d2@1"), clients.get(2).calls, "c has no partner: no exchange");
        assertEquals(List.of("missed 1"), clients.get(3).calls, "an offline client is asked nothing");
        assertArrayEquals(new int[] {1, 1, 0, 0}, partners);
        assertEquals(2.5, clients.get(0).value, 1e-12, "sample-weighted merge of 1 (10) and 3 (30)");
        assertEquals(2.5, clients.get(1).value, 1e-12);
        long stateBytes = new ExpertState("e", Map.of("w", new double[] {1}), 10).sizeBytes();
        assertEquals(2 * stateBytes, gossiped);
    }

    @Test
    void fedavgAveragesTheLiveClientsStatesPerDomainAndSharesNothingElse() {
        List<FakeClient> clients = List.of(new FakeClient("a", "d1", 1, 10), new FakeClient("b", "d1", 4, 20),
                new FakeClient("off", "d1", 100, 10), new FakeClient("c", "d2", 9, 10));
        InOrder gossip = new InOrder();
        RoundProtocol p = protocol("fedavg", new Averaging(), gossip, clients);
        boolean[] offline = {false, false, true, false};
        long[] bytes = new long[4];
        RoundDecision d = p.decide(1, clients, play(clients, 1, offline), offline, bytes);
        assertTrue(d.parameters().isEmpty(), "no meta-parameters");
        assertTrue(d.gossip().isEmpty(), "no gossip");
        assertEquals(null, gossip.lastPeers, "the gossip strategy is not even asked");
        assertEquals(3.0, d.states().get("d1").get("e").weight("w")[0], 1e-12, "(1*10 + 4*20) / 30");
        assertEquals(9.0, d.states().get("d2").get("e").weight("w")[0], 1e-12);
        long[] beforeDelivery = bytes.clone();
        long moved = p.deliver(d, clients, bytes, new int[4]);
        assertEquals(3.0, clients.get(0).value, 1e-12);
        assertEquals(3.0, clients.get(1).value, 1e-12);
        assertEquals(100, clients.get(2).value, 1e-12, "the offline client keeps its own");
        assertFalse(clients.get(2).calls.contains("merge e"));
        long state = new ExpertState("e", Map.of("w", new double[] {1}), 10).sizeBytes();
        assertArrayEquals(new long[] {state, state, 0, state}, beforeDelivery, "uploads in decide, no insight bytes");
        assertArrayEquals(new long[] {2 * state, 2 * state, 0, 2 * state}, bytes, "downloads in deliver");
        assertEquals(6 * state, moved, "uploads and downloads");
    }

    /** Keeps the latest upload per client and hands a joining client their sample-weighted mean. */
    static final class WarmStarting extends StampingMetaLearner {
        final Map<String, ExpertState> latest = new TreeMap<>();

        @Override
        public boolean warmStartsFromStates() {
            return true;
        }

        @Override
        public void receiveStates(int round, String client, String domain, Map<String, ExpertState> states) {
            latest.put(client, states.get("e"));
        }

        @Override
        public Map<String, ExpertState> statesFor(String domain) {
            List<ExpertState> states = List.copyOf(latest.values());
            return states.isEmpty() ? Map.of() : Map.of("e", ExpertState.weightedMean(states,
                    states.stream().mapToDouble(ExpertState::samples).toArray()));
        }
    }

    @Test
    void aWarmStartingMetaLearnerGetsUploadsButOnlyAJoiningClientAdopts() {
        List<FakeClient> clients = List.of(new FakeClient("a", "d1", 1, 10), new FakeClient("b", "d1", 4, 30),
                new FakeClient("late", "d1", 100, 10));
        WarmStarting learner = new WarmStarting();
        RoundProtocol p = protocol("federated", learner, (round, peers) -> List.of(), clients); // no gossip pairs
        boolean[] offline = {false, false, true};
        long[] bytes = new long[3];
        RoundDecision d = p.decide(1, clients, play(clients, 1, offline), offline, bytes);
        assertTrue(d.states().isEmpty(), "live clients adopt nothing");
        assertEquals(2, learner.latest.size(), "the live clients uploaded");
        long state = new ExpertState("e", Map.of("w", new double[] {1}), 10).sizeBytes();
        assertTrue(bytes[0] >= state && bytes[2] == 0, "uploads are counted as the client's bytes");
        p.deliver(d, clients, bytes, new int[3]);
        assertEquals(1.0, clients.get(0).value, 0, "a live client keeps its own state");
        p.welcome(clients.get(2));
        assertEquals(3.25, clients.get(2).value, 1e-12, "the joining client starts from (1*10 + 4*30) / 40");
    }

    @Test
    void localRoundsShareNothingButStillTrackHealth() {
        List<FakeClient> clients = List.of(new FakeClient("a", "d1", 1, 10), new FakeClient("b", "d1", 4, 20));
        RoundProtocol p = protocol("local", new StampingMetaLearner(), new InOrder(), clients);
        boolean[] offline = {false, true};
        long[] bytes = new long[2];
        RoundDecision d = p.decide(1, clients, play(clients, 1, offline), offline, bytes);
        assertTrue(d.parameters().isEmpty() && d.gossip().isEmpty() && d.states().isEmpty());
        assertArrayEquals(new long[2], bytes);
        assertEquals(0, p.deliver(d, clients, bytes, new int[2]));
        assertEquals(List.of("run 1"), clients.get(0).calls);
        // b silent beyond the heartbeat timeout (1 round): dropped in round 3
        offline = new boolean[] {false, true};
        p.decide(2, clients, play(clients, 2, offline), offline, new long[2]);
        RoundDecision third = p.decide(3, clients, play(clients, 3, offline), offline, new long[2]);
        assertEquals(List.of("b"), third.health().dropped());
    }

    @Test
    void aGossipPlanWithAPeerNotTakingPartIsABug() {
        List<FakeClient> clients = List.of(new FakeClient("a", "d", 1, 10), new FakeClient("b", "d", 1, 10));
        GossipStrategy rogue = (round, peers) -> List.of(new GossipPair("a", "b"));
        RoundProtocol p = protocol("federated", new StampingMetaLearner(), rogue, clients);
        boolean[] offline = {false, true};
        assertThrows(IllegalStateException.class, () -> p.decide(1, clients, play(clients, 1, offline), offline, new long[2]));
    }

    @Test
    void perClientArraysMustMatchTheClients() {
        List<FakeClient> clients = List.of(new FakeClient("a", "d", 1, 10));
        RoundProtocol p = protocol("federated", new StampingMetaLearner(), new InOrder(), clients);
        assertThrows(IllegalArgumentException.class,
                () -> p.decide(1, clients, play(clients, 1, new boolean[1]), new boolean[1], new long[2]));
    }

    @Test
    void theGossipStrategyIsToldEachClientsSharedWeightButNotForAClientUnderDifferentialPrivacy() {
        List<FakeClient> clients = List.of(new FakeClient("a", "d", 1, 10), new FakeClient("b", "d", 3, 10));
        for (FakeClient c : clients) {
            c.board.put("drift.score", 0.1);
            c.plugins.put("mixture.weight.e", 0.375);
            c.plugins.put("mixture.weight.e@own", 0.125);
        }
        clients.get(1).plugins.put("privacy.epsilon", 0.5);
        InOrder gossip = new InOrder();
        RoundProtocol p = protocol("federated", new StampingMetaLearner(), gossip, clients);
        boolean[] offline = {false, false};
        p.decide(1, clients, play(clients, 1, offline), offline, new long[2]);
        assertEquals(Map.of("drift.score", 0.1, io.scarcity.api.StandardSignals.FEDERATION_SHARED_WEIGHT, 0.75),
                gossip.lastPeers.get(0).signals(), "a: its signals and its merged expert's share of its mixture (0.375 of 0.5)");
        assertEquals(Map.of("drift.score", 0.1), gossip.lastPeers.get(1).signals(),
                "b, under DP: only what its insight released");
    }

    @Test
    void gossipPlanningSeesHowMuchOfEachClientsMixtureItsMergedExpertsEarn() {
        Map<String, Double> signals = Map.of("drift.score", 0.2);
        RoundMetrics twins = new RoundMetrics(Map.of(), Map.of("mixture.weight.stat-fast", 0.3, "mixture.weight.stat-fast@own", 0.1,
                "mixture.weight.stat-slow", 0.2, "mixture.weight.stat-slow@own", 0.4, "mixture.weight.drift-free", 0.5), 0, 0);
        Map<String, Double> planned = RoundProtocol.withSharedWeight(signals, twins);
        // shared 0.3 + 0.2 of shared and twins 0.3 + 0.2 + 0.1 + 0.4; an expert without a twin does not count
        assertEquals(0.5, planned.get(io.scarcity.api.StandardSignals.FEDERATION_SHARED_WEIGHT), 1e-12);
        assertEquals(0.2, planned.get("drift.score"));
        RoundMetrics leaning = new RoundMetrics(Map.of(), Map.of("mixture.weight.stat-fast", 0.6, "mixture.weight.stat-fast@own", 0.2), 0, 0);
        assertEquals(0.75, RoundProtocol.withSharedWeight(signals, leaning).get(io.scarcity.api.StandardSignals.FEDERATION_SHARED_WEIGHT), 1e-12);
        // no twins, or no metrics: the signals as they were
        RoundMetrics alone = new RoundMetrics(Map.of(), Map.of("mixture.weight.stat-fast", 0.6, "mixture.weight.stat-slow", 0.4), 0, 0);
        assertEquals(signals, RoundProtocol.withSharedWeight(signals, alone));
        assertEquals(signals, RoundProtocol.withSharedWeight(signals, null));
    }
}
