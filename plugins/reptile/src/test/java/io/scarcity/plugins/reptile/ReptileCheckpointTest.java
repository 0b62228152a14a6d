package io.scarcity.plugins.reptile;

import io.scarcity.api.MetaLearner;
import io.scarcity.api.testing.MetaLearnerTestKit;
import io.scarcity.api.testing.PluginTestKit;
import java.io.IOException;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * The kit's checkpoint contract: saved between a round's uploads and its learning, a restored Reptile
 * moves its initialisation exactly as the uninterrupted one, while a fresh one (phi restarted at the
 * next uploads' mean) does not; a truncated checkpoint or an unknown version is refused.
 */
class ReptileCheckpointTest {
    private static Supplier<MetaLearner> maker(double epsilon) {
        return PluginTestKit.maker(new ReptileMetaLearnerFactory(), Map.of("epsilon", epsilon),
                PluginTestKit.context(1, null, "reptile"));
    }

    @Test
    void aRestoredReptileMovesItsInitialisationExactlyAsTheSavedOne() throws IOException {
        MetaLearnerTestKit.assertCheckpointContract(maker(0.3), "ReptileMetaLearner", 31, 6);
    }

    @Test
    void aRestoredReptileWithEpsilonOneEqualsTheSavedOne() throws IOException {
        MetaLearnerTestKit.assertCheckpointContract(maker(1.0), "ReptileMetaLearner", 32, 6);
    }

    /** phi carries over: a fresh Reptile taking the same uploads would start phi at their mean instead. */
    @Test
    void theInitialisationIsRestoredNotRestarted() throws IOException {
        PluginTestKit.assertRoundTrip(maker(0.3), MetaLearnerTestKit.driver(), 8, 4, 1);
    }
}
