package io.scarcity.plugins.hierarchical;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scarcity.api.DataSchema;
import io.scarcity.api.Memory;
import io.scarcity.api.testing.MemoryTestKit;
import io.scarcity.api.testing.PluginTestKit;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Checkpoints of the non-default policies: the kit's memory contract for each, and the codec checks. */
class HierarchicalMemoryPolicyCheckpointTest {
    private static Map<String, Object> config(String semantic) {
        Map<String, Object> c = new HashMap<>();
        c.put("workingSize", 20);
        c.put("episodicSize", 36);
        c.put("episodicPolicy", "class-balanced");
        c.put("promotion", "both");
        c.put("importanceFactor", 1.2);
        c.put("semantic", semantic);
        c.put("semanticSize", 6);
        c.put("codesPerClass", 2);
        c.put("replayPolicy", "class-balanced");
        return c;
    }

    private static Supplier<Memory> maker(DataSchema schema, Map<String, Object> config, int codeSize) {
        Supplier<Memory> plain = HierarchicalMemoryCheckpointTest.maker(schema, config);
        return () -> {
            Memory m = plain.get();
            if (codeSize > 0) {
                m.useCodec("vae", new MemoryTestKit.TruncatingCodec(codeSize, schema.numFeatures()));
            }
            return m;
        };
    }

    @ParameterizedTest
    @ValueSource(strings = {"prototypes", "codes", "codes-regression"})
    void everyPolicyContinuesExactlyAfterARestore(String variant) throws IOException {
        boolean codes = variant.startsWith("codes");
        DataSchema schema = variant.endsWith("regression") ? MemoryTestKit.REGRESSION : MemoryTestKit.CLASSIFICATION;
        Supplier<Memory> maker = maker(schema, config(codes ? "codes" : "prototypes"), codes ? 2 : 0);
        HierarchicalMemory probe = (HierarchicalMemory) maker.get();
        MemoryTestKit.driver(schema).drive(probe, new Random(5), 0, 30);
        assertTrue(probe.lossMean() > 0, "the loss mean is part of the state");
        assertEquals(codes, probe.holdsCodes());
        MemoryTestKit.assertCheckpointContract(maker, schema, "hierarchical memory");
    }

    @Test
    void codesNeedTheCodecOnBothSides() throws IOException {
        DataSchema schema = MemoryTestKit.CLASSIFICATION;
        Memory withCodes = maker(schema, config("codes"), 2).get();
        MemoryTestKit.driver(schema).drive(withCodes, new Random(2), 0, 10);
        byte[] coded = PluginTestKit.save(withCodes);
        IOException noCodec = assertThrows(IOException.class, () -> PluginTestKit.restore(maker(schema, config("codes"), 0).get(), coded));
        assertTrue(noCodec.getMessage().contains("no expert offers one"), noCodec.getMessage());

        Memory withoutCodec = maker(schema, config("codes"), 0).get();
        MemoryTestKit.driver(schema).drive(withoutCodec, new Random(2), 0, 10);
        IOException codec = assertThrows(IOException.class,
                () -> PluginTestKit.restore(maker(schema, config("codes"), 2).get(), PluginTestKit.save(withoutCodec)));
        assertTrue(codec.getMessage().contains("codec of vae"), codec.getMessage());

        IOException size = assertThrows(IOException.class, () -> PluginTestKit.restore(maker(schema, config("codes"), 3).get(), coded));
        assertTrue(size.getMessage().contains("code size = 2, but this run has codec's code size = 3"), size.getMessage());
    }
}
