package io.scarcity.plugins.causal;

import io.scarcity.api.DataSchema;
import io.scarcity.api.Expert;
import io.scarcity.api.MergeLaw;
import io.scarcity.api.testing.ExpertTestKit;
import io.scarcity.api.testing.MergeLawKit;
import io.scarcity.api.testing.PluginTestKit;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/** The merge law of the test kit ({@link MergeLawKit}): two learners on IID halves, merged, against one on the union. */
class CausalMergeLawTest {
    private static final DataSchema CLASSES = ExpertTestKit.schema(12, 3);
    private static final DataSchema REGRESSION = ExpertTestKit.schema(12, 0);

    private static Supplier<Expert> maker(DataSchema schema) {
        return PluginTestKit.maker(new CausalExpertFactory(), Map.of(), PluginTestKit.context(5, schema, "causal"));
    }

    private static MergeLaw law() {
        return new CausalExpertFactory().mergeLaw().orElse(MergeLaw.MEAN);
    }

    /** Pooled moments, the structure searched again on them: one merge at the end reaches the union. */
    @Test
    void twoHalvesMergedLearnAsOneOnTheUnion() {
        System.out.println("causal: " + MergeLawKit.assertMergeLaw(maker(CLASSES), law(), CLASSES, 15, 6, 0.02));
        System.out.println("causal: " + MergeLawKit.assertMergeLaw(maker(REGRESSION), law(), REGRESSION, 15, 6, 0.02));
    }
}
