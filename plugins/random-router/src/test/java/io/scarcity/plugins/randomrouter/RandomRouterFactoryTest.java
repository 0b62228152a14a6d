package io.scarcity.plugins.randomrouter;

import static io.scarcity.api.testing.RouterTestKit.assertTheOnlyRouterFactory;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import io.scarcity.api.PluginConfig;
import io.scarcity.api.PluginContext;
import io.scarcity.api.testing.RouterTestKit;
import org.junit.jupiter.api.Test;

class RandomRouterFactoryTest {
    private static final PluginContext CONTEXT = PluginContext.standalone(1, null, "random");

    @Test
    void isRegisteredUnderItsName() {
        assertTheOnlyRouterFactory(RandomRouterFactory.class, "random");
    }

    @Test
    void kIsTheOnlyOption() {
        assertEquals(Options.defaults(), Options.from(PluginConfig.empty()));
        assertInstanceOf(RandomRouter.class, new RandomRouterFactory().create(PluginConfig.empty(), CONTEXT));
        RouterTestKit.assertKIsTheOnlyOption(new RandomRouterFactory(), CONTEXT, 1);
    }
}
