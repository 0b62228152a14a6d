package io.scarcity.runtime.plugin;

import io.scarcity.api.PluginFactory;
import io.scarcity.api.PluginKind;
import java.util.Objects;

/**
 * One factory the runtime found: its kind, name, version, where it came from ({@code classpath:...}
 * or {@code plugin:<id>@<archive>}) and the factory itself.
 */
public record InstalledPlugin(PluginKind kind, String name, String version, String origin, String description,
                              PluginFactory<?> factory) {
    public InstalledPlugin {
        Objects.requireNonNull(kind, "kind is null");
        Objects.requireNonNull(name, "name is null");
        Objects.requireNonNull(version, "version is null");
        Objects.requireNonNull(origin, "origin is null");
        Objects.requireNonNull(description, "description is null");
        Objects.requireNonNull(factory, "factory is null");
    }
}
