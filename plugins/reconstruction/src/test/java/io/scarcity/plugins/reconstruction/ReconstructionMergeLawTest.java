package io.scarcity.plugins.reconstruction;

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
class ReconstructionMergeLawTest {
    private static final DataSchema CLASSES = ExpertTestKit.schema(12, 3);
    private static final DataSchema REGRESSION = ExpertTestKit.schema(12, 0);

    private static Supplier<Expert> maker(DataSchema schema) {
        return PluginTestKit.maker(new ReconstructionExpertFactory(), Map.of(), PluginTestKit.context(5, schema, "vae"));
    }

    private static MergeLaw law() {
        return new ReconstructionExpertFactory().mergeLaw().orElse(MergeLaw.MEAN);
    }

    /**
     * Networks from one initialisation, averaged every batch: never below the better half; the union took
     * twice the gradient steps, hence the wider stated tolerance against it (measured gap about 0.035).
     */
    @Test
    void twoHalvesMergedLearnAsOneOnTheUnion() {
        System.out.println("reconstruction: " + MergeLawKit.assertMergeLaw(maker(CLASSES), law(), CLASSES, 15, 1, 6, 0.06, 0.01));
        System.out.println("reconstruction: " + MergeLawKit.assertMergeLaw(maker(REGRESSION), law(), REGRESSION, 15, 1, 6, 0.06, 0.01));
    }
}
