package io.scarcity.plugins.variancerouter;

import static io.scarcity.api.testing.RouterTestKit.assertTheOnlyRouterFactory;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scarcity.api.PluginConfig;
import io.scarcity.api.PluginContext;
import io.scarcity.api.testing.PluginTestKit;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class VarianceRouterFactoryTest {
    private static final PluginContext CONTEXT = PluginContext.standalone(1, null, "variance");

    @Test
    void isRegisteredUnderItsName() {
        assertTheOnlyRouterFactory(VarianceRouterFactory.class, "variance");
    }

    @Test
    void defaultsApplyWhenNothingIsConfigured() {
        Options options = Options.from(PluginConfig.empty());
        assertEquals(0.5, options.threshold());
        assertNull(options.high());
        assertNull(options.low());
        assertTrue(options.unconfigured());
        assertInstanceOf(VarianceRouter.class, new VarianceRouterFactory().create(PluginConfig.empty(), CONTEXT));
    }

    @Test
    void readsEveryOption() {
        PluginConfig config = PluginConfig.of("router", Map.of("threshold", 0.6, "high", List.of("robust", "wide"),
                "low", List.of("sharp")));
        assertEquals(new Options(0.6, List.of("robust", "wide"), List.of("sharp")), Options.from(config));
        assertTrue(config.unreadKeys().isEmpty());
        Options onlyHigh = Options.from(PluginConfig.of("router", Map.of("high", List.of("robust"))));
        assertFalse(onlyHigh.unconfigured());
        assertNull(onlyHigh.low());
    }

    @Test
    void anUnknownKeyIsLeftUnreadForTheRuntimeToReport() {
        PluginConfig config = PluginTestKit.assertUnknownOptionLeftUnread(new VarianceRouterFactory(), CONTEXT, "hihg", List.of("a"));
        assertEquals(Set.of("high", "low", "threshold"), config.askedKeys());
    }

    @Test
    void badValueNamesTheKeyPathAndTheReason() {
        PluginTestKit.assertBadOptionsRefused(new VarianceRouterFactory(), CONTEXT, List.of(
                PluginTestKit.bad("threshold", -0.1).saying("must be in [0, 1]"),
                PluginTestKit.bad("threshold", 1.5).saying("must be in [0, 1]"),
                PluginTestKit.bad("threshold", "half").saying("finite number"),
                PluginTestKit.bad("high", "robust").saying("list of text values"),
                PluginTestKit.bad("low", List.of(Map.of("name", "a"))).saying("list of text values"),
                PluginTestKit.bad("low", List.of(true)).saying("list of text values"),
                PluginTestKit.bad("high", List.of()).saying("at least one expert"),
                PluginTestKit.bad("high", List.of(" ")).saying("blank"),
                PluginTestKit.bad("low", List.of("a", "a")).saying("'a' is listed twice")));
    }

    @Test
    void aNameInBothListsIsAnErrorNamingIt() {
        PluginTestKit.assertBadOptionsRefused(new VarianceRouterFactory(), CONTEXT, Map.of("high", List.of("robust", "shared")),
                List.of(PluginTestKit.bad("low", List.of("sharp", "shared")).saying("'shared'", "both high and low")));
    }
}
