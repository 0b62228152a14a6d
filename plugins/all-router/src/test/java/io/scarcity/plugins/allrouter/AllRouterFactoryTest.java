package io.scarcity.plugins.allrouter;

import static io.scarcity.api.testing.RouterTestKit.assertTheOnlyRouterFactory;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import io.scarcity.api.PluginConfig;
import io.scarcity.api.PluginContext;
import io.scarcity.api.testing.PluginTestKit;
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
        PluginConfig config = PluginTestKit.assertUnknownOptionLeftUnread(new AllRouterFactory(), CONTEXT, "k", 2);
        assertEquals(Set.of(), config.askedKeys());
    }
}
