package io.scarcity.plugins.statistical;

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
class StatisticalMergeLawTest {
    private static final DataSchema CLASSES = ExpertTestKit.schema(12, 3);

    private static Supplier<Expert> maker(DataSchema schema) {
        return PluginTestKit.maker(new StatisticalExpertFactory(), Map.of(), PluginTestKit.context(5, schema, "statistical"));
    }

    private static MergeLaw law() {
        return new StatisticalExpertFactory().mergeLaw().orElse(MergeLaw.MEAN);
    }

    /** Sufficient statistics pool exactly: one merge at the end reaches the union. */
    @Test
    void twoHalvesMergedLearnAsOneOnTheUnion() {
        System.out.println("statistical: " + MergeLawKit.assertMergeLaw(maker(CLASSES), law(), CLASSES, 4, 6, 0.01));
        System.out.println("statistical: " + MergeLawKit.assertMergeLaw(maker(CLASSES), law(), CLASSES, 15, 6, 0.01));
    }
}
