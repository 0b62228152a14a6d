package io.scarcity.plugins.roundrobin;

import static io.scarcity.api.testing.RouterTestKit.assertTheOnlyRouterFactory;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import io.scarcity.api.PluginConfig;
import io.scarcity.api.PluginContext;
import io.scarcity.api.testing.RouterTestKit;
import org.junit.jupiter.api.Test;

class RoundRobinRouterFactoryTest {
    private static final PluginContext CONTEXT = PluginContext.standalone(1, null, "round-robin");

    @Test
    void isRegisteredUnderItsName() {
        assertTheOnlyRouterFactory(RoundRobinRouterFactory.class, "round-robin");
    }

    @Test
    void kIsTheOnlyOption() {
        assertEquals(Options.defaults(), Options.from(PluginConfig.empty()));
        assertInstanceOf(RoundRobinRouter.class, new RoundRobinRouterFactory().create(PluginConfig.empty(), CONTEXT));
        RouterTestKit.assertKIsTheOnlyOption(new RoundRobinRouterFactory(), CONTEXT, 1);
    }
}
