package io.scarcity.runtime.config;

import io.scarcity.api.ConfigException;
import java.util.LinkedHashMap;
import java.util.Map;

/** A plugin chosen by name, with its config subtree. */
public record PluginSelection(String plugin, Map<String, Object> config) {
    public PluginSelection {
        if (plugin == null || plugin.isBlank()) {
            throw new ConfigException("plugin", "a plugin name is required");
        }
        config = config == null ? new LinkedHashMap<>() : new LinkedHashMap<>(config);
    }
}
