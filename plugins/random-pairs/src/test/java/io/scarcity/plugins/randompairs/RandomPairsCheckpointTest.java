package io.scarcity.plugins.randompairs;

import static org.junit.jupiter.api.Assertions.assertThrows;

import io.scarcity.api.GossipStrategy;
import io.scarcity.api.testing.GossipTestKit;
import io.scarcity.api.testing.PluginTestKit;
import java.io.IOException;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * The kit's gossip contract (plans over a changing population continue identically after a restore, the
 * generator's position included; a truncated checkpoint or an unknown version is refused), plus a damaged
 * generator.
 */
class RandomPairsCheckpointTest {
    private static Supplier<GossipStrategy> maker(Map<String, ?> config) {
        return PluginTestKit.maker(new RandomPairsFactory(), config, PluginTestKit.context(8, null, "random-pairs"));
    }

    @Test
    void aRestoredStrategyPlansTheSamePairsAsTheSavedOne() throws IOException {
        GossipTestKit.assertCheckpointContract(maker(Map.of("fraction", 0.8, "sameDomain", true, "every", 2)),
                "random-pairs gossip", true);
        GossipTestKit.assertCheckpointContract(maker(Map.of()), "random-pairs gossip", true);
    }

    @Test
    void aDamagedGeneratorIsRefused() throws IOException {
        byte[] foreign = PluginTestKit.save(maker(Map.of()).get());
        foreign[12] ^= 0x55; // inside the serialised generator
        assertThrows(IOException.class, () -> PluginTestKit.restore(maker(Map.of()).get(), foreign));
    }
}
