package io.scarcity.runtime.config;

import io.scarcity.api.ConfigException;
import io.scarcity.api.PluginFactory;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One expert instance: the plugin, an optional instance name (so a plugin can run twice with different
 * options, e.g. a fast and a slow statistical expert) and its config subtree.
 */
public record ExpertSelection(String plugin, String name, Map<String, Object> config) {
    public ExpertSelection {
        if (plugin == null || plugin.isBlank()) {
            throw new ConfigException("plugin", "each expert needs a plugin name, e.g. plugin: statistical");
        }
        if (name != null && !PluginFactory.NAME_PATTERN.matcher(name).matches()) {
            throw new ConfigException("name", "expected lower-case letters, digits and '-', starting with a letter, got '" + name + "'");
        }
        config = config == null ? new LinkedHashMap<>() : new LinkedHashMap<>(config);
    }

    /** The name the instance goes by in metrics, routing and meta-parameters. */
    public String instanceName() {
        return name == null ? plugin : name;
    }
}
