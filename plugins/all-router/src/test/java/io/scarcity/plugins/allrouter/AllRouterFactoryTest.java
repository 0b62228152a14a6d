package io.scarcity.plugins.allrouter;

import static io.scarcity.api.testing.RouterTestKit.assertTheOnlyRouterFactory;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import io.scarcity.api.PluginConfig;
import io.scarcity.api.PluginContext;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class AllRouterFactoryTest {
    private static final PluginContext CONTEXT = PluginContext.standalone(1, null, "all");

    @Test
    void isRegisteredUnderItsName() {
        assertTheOnlyRouterFactory(AllRouterFactory.class, "all");
    }

    @Test
    void createsARouterWithoutConfiguration() {
        assertInstanceOf(AllRouter.class, new AllRouterFactory().create(PluginConfig.empty(), CONTEXT));
    }

    /** The runtime turns unread keys into "unknown option" errors; the factory must leave every key unread. */
    @Test
    void readsNoOptionSoEveryKeyIsReportedAsUnknown() {
        PluginConfig config = PluginConfig.of("router.config", Map.of("k", 2));
        new AllRouterFactory().create(config, CONTEXT);
        assertEquals(Set.of("router.config.k"), config.unreadKeys());
        assertEquals(Set.of(), config.askedKeys());
    }
}
