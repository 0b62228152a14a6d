package io.scarcity.runtime.cli;

import io.scarcity.runtime.plugin.InstalledPlugin;
import io.scarcity.runtime.plugin.PluginRegistry;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Spec;

@Command(name = "plugins", mixinStandardHelpOptions = true,
        description = "Lists every installed plugin with its kind, name, version and origin.")
final class PluginsCommand implements Callable<Integer> {
    @Mixin
    PluginOptions plugins;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        try (PluginRegistry registry = plugins.load()) {
            List<InstalledPlugin> all = registry.all();
            var out = spec.commandLine().getOut();
            String format = "%-13s %-14s %-16s %s%n";
            out.printf(format, "KIND", "NAME", "VERSION", "ORIGIN");
            for (InstalledPlugin p : all) {
                out.printf(format, p.kind().label(), p.name(), p.version(), p.origin());
                if (!p.description().isEmpty()) {
                    out.printf("%-13s %s%n", "", p.description());
                }
            }
            if (all.isEmpty()) {
                out.println(registry.sources().isEmpty() ? "(no plugins found: pass --plugins DIR or set SCARCITY_PLUGINS_DIR)"
                        : "(no plugins found in " + registry.sources() + ")");
            }
            return 0;
        }
    }
}
