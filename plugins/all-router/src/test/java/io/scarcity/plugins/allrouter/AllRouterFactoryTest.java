package io.scarcity.plugins.allrouter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import io.scarcity.api.PluginConfig;
import io.scarcity.api.PluginContext;
import io.scarcity.api.RouterFactory;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.Set;
import org.junit.jupiter.api.Test;

class AllRouterFactoryTest {
    private static final PluginContext CONTEXT = PluginContext.standalone(1, null, "all");

    @Test
    void isRegisteredUnderItsName() {
        List<RouterFactory> found = ServiceLoader.load(RouterFactory.class).stream().map(ServiceLoader.Provider::get).toList();
        assertEquals(1, found.size());
        assertInstanceOf(AllRouterFactory.class, found.get(0));
        assertEquals("all", found.get(0).name());
        assertFalse(found.get(0).description().isBlank());
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
