package io.scarcity.runtime.cli;

import io.scarcity.runtime.plugin.PluginRegistry;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** Where plugin archives are looked for: {@code --plugins}, else {@code SCARCITY_PLUGINS_DIR}, else the class path only. */
final class PluginOptions {
    @Option(names = "--plugins", paramLabel = "DIR",
            description = "Folder of plugin archives (default: $SCARCITY_PLUGINS_DIR; the launcher sets it to the distribution's plugins/).")
    Path pluginsDir;

    PluginRegistry load() {
        Path dir = pluginsDir;
        if (dir == null) {
            String env = System.getenv("SCARCITY_PLUGINS_DIR");
            dir = env == null || env.isBlank() ? null : Path.of(env);
        }
        return PluginRegistry.load(dir, PluginOptions.class.getClassLoader());
    }
}
