package io.scarcity.plugins.fedavg;

import io.scarcity.api.MetaLearner;
import io.scarcity.api.testing.MetaLearnerTestKit;
import io.scarcity.api.testing.PluginTestKit;
import java.io.IOException;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * The kit's checkpoint contract: saved between a round's uploads and its learning, a restored FedAvg
 * aggregates exactly as the uninterrupted one; a truncated checkpoint or an unknown version is refused.
 */
class FedAvgCheckpointTest {
    private static Supplier<MetaLearner> maker(Map<String, ?> options) {
        return PluginTestKit.maker(new FedAvgMetaLearnerFactory(), options, PluginTestKit.context(1, null, "fedavg"));
    }

    @Test
    void aRestoredFedAvgAggregatesExactlyAsTheSavedOne() throws IOException {
        MetaLearnerTestKit.assertCheckpointContract(maker(Map.of()), "FedAvgMetaLearner", 31, 6);
    }

    @Test
    void aRestoredConsensusWeightedFedAvgAggregatesExactlyAsTheSavedOne() throws IOException {
        MetaLearnerTestKit.assertCheckpointContract(maker(Map.of("weighting", "consensus")), "FedAvgMetaLearner", 32, 6);
    }
}
