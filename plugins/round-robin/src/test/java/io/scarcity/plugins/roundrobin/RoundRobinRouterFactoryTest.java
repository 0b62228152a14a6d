package io.scarcity.plugins.roundrobin;

import static io.scarcity.api.testing.RouterTestKit.assertTheOnlyRouterFactory;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scarcity.api.PluginConfig;
import io.scarcity.api.PluginContext;
import io.scarcity.api.testing.PluginTestKit;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RoundRobinRouterFactoryTest {
    private static final PluginContext CONTEXT = PluginContext.standalone(1, null, "round-robin");

    @Test
    void isRegisteredUnderItsName() {
        assertTheOnlyRouterFactory(RoundRobinRouterFactory.class, "round-robin");
    }

    @Test
    void defaultsAndOptionsAreRead() {
        assertEquals(new Options(1), Options.from(PluginConfig.empty()));
        PluginConfig config = PluginConfig.of("router", Map.of("k", 3));
        assertEquals(new Options(3), Options.from(config));
        assertTrue(config.unreadKeys().isEmpty());
        assertInstanceOf(RoundRobinRouter.class, new RoundRobinRouterFactory().create(PluginConfig.empty(), CONTEXT));
    }

    @Test
    void aBadKIsRefusedAndAnUnknownKeyLeftUnread() {
        PluginTestKit.assertBadOptionsRefused(new RoundRobinRouterFactory(), CONTEXT, PluginTestKit.bad("k", 0, -2, 1.5, "two"));
        PluginTestKit.assertUnknownOptionLeftUnread(new RoundRobinRouterFactory(), CONTEXT, "kk", 3);
    }
}
