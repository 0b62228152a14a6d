package io.scarcity.runtime.config;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.Objects;

/**
 * A bound config with what produced it: the resolved tree (defaults + file + overrides), the folder
 * relative paths in it are resolved against, and where it came from.
 */
public record LoadedConfig(RunConfig config, ObjectNode resolved, Path baseDir, String source) {
    public LoadedConfig {
        Objects.requireNonNull(config, "config is null");
        Objects.requireNonNull(resolved, "resolved is null");
        Objects.requireNonNull(baseDir, "baseDir is null");
        Objects.requireNonNull(source, "source is null");
    }

    /** The resolved config as YAML, as written to the run folder; a database password is masked. */
    public String resolvedYaml() {
        ObjectNode copy = resolved.deepCopy();
        if (copy.path("coordinator").path("store") instanceof ObjectNode store
                && store.hasNonNull("password") && !store.get("password").asText().isEmpty()) {
            store.put("password", "***");
        }
        return ConfigLoader.toYaml(copy);
    }
}
