package io.scarcity.plugins.randomrouter;

import static io.scarcity.api.testing.RouterTestKit.assertTheOnlyRouterFactory;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scarcity.api.PluginConfig;
import io.scarcity.api.PluginContext;
import io.scarcity.api.testing.PluginTestKit;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RandomRouterFactoryTest {
    private static final PluginContext CONTEXT = PluginContext.standalone(1, null, "random");

    @Test
    void isRegisteredUnderItsName() {
        assertTheOnlyRouterFactory(RandomRouterFactory.class, "random");
    }

    @Test
    void defaultsAndOptionsAreRead() {
        assertEquals(new Options(1), Options.from(PluginConfig.empty()));
        PluginConfig config = PluginConfig.of("router", Map.of("k", 3));
        assertEquals(new Options(3), Options.from(config));
        assertTrue(config.unreadKeys().isEmpty());
        assertInstanceOf(RandomRouter.class, new RandomRouterFactory().create(PluginConfig.empty(), CONTEXT));
    }

    @Test
    void aBadKIsRefusedAndAnUnknownKeyLeftUnread() {
        PluginTestKit.assertBadOptionsRefused(new RandomRouterFactory(), CONTEXT, PluginTestKit.bad("k", 0, -2, 1.5, "two"));
        PluginTestKit.assertUnknownOptionLeftUnread(new RandomRouterFactory(), CONTEXT, "kk", 3);
    }
}
