package io.scarcity.plugins.forest;

import io.scarcity.api.DataSchema;
import io.scarcity.api.Expert;
import io.scarcity.api.testing.ExpertTestKit;
import io.scarcity.api.testing.MergeLawKit;
import io.scarcity.api.testing.PluginTestKit;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * The kit's merge-law property for the union of trees. On IID halves a peer's trees are no better than the
 * client's own on its rows, so the admission test lets none in and the merged client is its half: within the
 * tolerance of the union learner here (measured: 0.8904 merged and A, 0.9022 union at 10 batches per half),
 * because trees cannot be pooled as sufficient statistics can. Gossip helps a forest when a peer's trees have
 * learned more of what the client sees ({@link ForestGossipTest#aClientAdmitsABetterPeerTreeAndGainsAccuracy}).
 */
class ForestMergeLawTest {
    private static final DataSchema CLASSES = ExpertTestKit.schema(12, 3);

    private static Supplier<Expert> maker() {
        return PluginTestKit.maker(new ForestExpertFactory(), Map.of(), PluginTestKit.context(5, CLASSES, "forest"));
    }

    @Test
    void twoHalvesMergedAreNoWorseThanTheBetterHalfAndNearTheUnion() {
        MergeLawKit.Scores s = MergeLawKit.assertMergeLaw(maker(), TreeGossip.LAW, CLASSES, 10, 6, 0.02);
        System.out.println("forest merge law, classification: " + s);
    }
}
