package io.scarcity.api;

import java.util.regex.Pattern;

/**
 * Creates one kind of component from its configuration. A factory is registered in
 * {@code META-INF/services/<factory interface>} of its jar; the same registration serves
 * {@link java.util.ServiceLoader} on the class path and PF4J for plugin archives.
 *
 * <p>Factories are stateless and thread-safe; they need a public no-argument constructor. The runtime
 * instantiates only the components that the configuration selects.
 *
 * @param <T> the component type
 */
public interface PluginFactory<T> {
    /** Pattern every plugin name must match. */
    Pattern NAME_PATTERN = Pattern.compile("[a-z][a-z0-9-]*");

    /** The name users select the plugin by in YAML; must match {@link #NAME_PATTERN} and be unique per kind. */
    String name();

    /** One line saying what the plugin does, shown by {@code scarcity plugins}. */
    default String description() {
        return "";
    }

    /**
     * Creates a component. The factory turns {@code config} into its own validated options and throws
     * {@link ConfigException} (via {@link PluginConfig#invalid}) on a bad value; keys it never reads are
     * reported by the runtime as unknown.
     *
     * @param config the component's YAML subtree, never {@code null}
     * @param context services of the runtime, never {@code null}
     * @return a new component, never {@code null}
     */
    T create(PluginConfig config, PluginContext context);
}
