package io.scarcity.plugins.governance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.scarcity.api.Batch;
import io.scarcity.api.DataSchema;
import io.scarcity.api.InMemorySignalBoard;
import io.scarcity.api.PluginConfig;
import io.scarcity.api.SignalBoard;
import io.scarcity.api.Task;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The governance part of {@code configs/governance-example.yaml} reads without unknown keys on SEA's schema
 * and does what the file's comments say on SEA-like rows. (The whole run needs the runtime; see the file.)
 */
class ExampleConfigTest {
    private static final Path EXAMPLE = Path.of("../../configs/governance-example.yaml");
    private static final DataSchema SEA = new DataSchema(List.of("f1", "f2", "f3"), Task.CLASSIFICATION, List.of("0", "1"));

    @Test
    @SuppressWarnings("unchecked")
    void theExampleQuarantinesSaturatedF3AndAlertsOnThatRuleOnly() throws IOException {
        Map<String, Object> run = new ObjectMapper(new YAMLFactory()).readValue(EXAMPLE.toFile(), Map.class);
        Map<String, Object> governance = ((List<Map<String, Object>>) run.get("experts")).stream()
                .filter(e -> "governance".equals(e.get("plugin"))).findFirst().orElseThrow();
        PluginConfig config = PluginConfig.of("experts[1].config", (Map<String, Object>) governance.get("config"));
        Fixtures.TestContext context = new Fixtures.TestContext(SEA, EXAMPLE.getParent());
        GovernanceExpert e = (GovernanceExpert) new GovernanceExpertFactory().create(config, context);
        assertTrue(config.unreadKeys().isEmpty(), config.unreadKeys().toString());

        Random random = new Random(3);
        SignalBoard signals = new InMemorySignalBoard();
        int rows = 0;
        for (int b = 0; b < 400; b++) {
            double[] x = new double[50 * 3];
            int[] y = new int[50];
            for (int r = 0; r < 50; r++) {
                for (int j = 0; j < 3; j++) {
                    x[3 * r + j] = random.nextDouble() * 10;
                }
                y[r] = x[3 * r] + x[3 * r + 1] <= 7 ? 1 : 0;
            }
            e.admit(Batch.ofClasses(SEA, "plant", rows, x, y), signals);
            rows += 50;
        }
        Map<String, Long> counts = e.violationCounts();
        assertEquals(List.of("f1-range", "present", "known-class", "f3-below-9.5"), List.copyOf(counts.keySet()));
        assertEquals(0L, counts.get("f1-range") + counts.get("present") + counts.get("known-class"));
        assertEquals(0.05, counts.get("f3-below-9.5") / (double) rows, 0.01, "f3 >= 9.5 in about 5% of the rows");
        assertEquals(counts.get("f3-below-9.5"), e.quarantined());
        assertEquals(5, e.samples().size());
        assertTrue(e.alerting(), "the rule's own maximum of 2% is exceeded");
        assertEquals(1, e.alerts(), "raised once and never re-armed at a steady 5%");
        assertTrue(e.violationRate() < 0.10, "the overall maximum of 10% is not");
        assertFalse(context.logger.lines.stream().anyMatch(l -> l.contains("rows were quarantined, above")));
        assertTrue(context.logger.lines.stream().anyMatch(l -> l.contains("rule 'f3-below-9.5' (f3 < 9.5) was broken by")));
    }
}
