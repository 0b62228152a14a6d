package io.scarcity.plugins.geometry;

import static org.junit.jupiter.api.Assertions.assertThrows;

import io.scarcity.api.DataSchema;
import io.scarcity.api.Expert;
import io.scarcity.api.MergeLaw;
import io.scarcity.api.testing.ExpertTestKit;
import io.scarcity.api.testing.MergeLawKit;
import io.scarcity.api.testing.PluginTestKit;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.opentest4j.AssertionFailedError;

class GeometryMergeLawTest {
    private static final DataSchema CLASSES = ExpertTestKit.schema(12, 3);
    private static final DataSchema REGRESSION = ExpertTestKit.schema(12, 0);

    private static Supplier<Expert> maker(DataSchema schema) {
        return PluginTestKit.maker(new GeometryExpertFactory(), Map.of("components", 4),
                PluginTestKit.context(5, schema, "geo"));
    }

    private static MergeLaw law() {
        return new GeometryExpertFactory().mergeLaw().orElseThrow();
    }

    @Test
    void twoHalvesMergedLearnAsOneOnTheUnion() {
        MergeLawKit.Scores s = MergeLawKit.assertMergeLaw(maker(CLASSES), law(), CLASSES, 4, 6, 0.02);
        System.out.println("geometry merge law, classification: " + s);
    }

    @Test
    void regressionHalvesMergedLearnAsOneOnTheUnion() {
        MergeLawKit.Scores s = MergeLawKit.assertMergeLaw(maker(REGRESSION), law(), REGRESSION, 4, 6, 0.02);
        System.out.println("geometry merge law, regression: " + s);
    }

    /**
     * The element-wise mean of bases, and of coordinates that live in different frames, is what the law
     * replaces: the kit's property catches it (merged below the better half alone).
     */
    @Test
    void theElementWiseMeanFailsTheLaw() {
        MergeLawKit.Scores mean = MergeLawKit.scores(maker(CLASSES), MergeLaw.MEAN, CLASSES, 4, 6);
        System.out.println("geometry, element-wise mean: " + mean);
        assertThrows(AssertionFailedError.class, () -> MergeLawKit.assertMergeLaw(maker(CLASSES), MergeLaw.MEAN, CLASSES, 4, 6, 0.02));
    }

    @Test
    void selfMergeChangesNoPrediction() {
        ExpertTestKit.assertGossipContract(maker(CLASSES), CLASSES, "geo", 1e-6, law());
        ExpertTestKit.assertGossipContract(maker(REGRESSION), REGRESSION, "geo", 1e-6, law());
    }
}
