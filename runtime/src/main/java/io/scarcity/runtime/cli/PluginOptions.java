package io.scarcity.runtime.cli;

import io.scarcity.runtime.UserException;
import io.scarcity.runtime.plugin.PluginRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/**
 * Where plugins come from: the shipped ones in {@code SCARCITY_PLUGINS_DIR} (the launcher sets it to the
 * distribution's {@code plugins/}), the class path, and any folders or archives given with
 * {@code --plugins}, which add to them.
 */
public final class PluginOptions {
    @Option(names = "--plugins", paramLabel = "DIR|JAR",
            description = "A folder of plugin archives, or one archive, added to the shipped plugins ($SCARCITY_PLUGINS_DIR, "
                    + "which the launcher sets to the distribution's plugins/); may be given more than once.")
    List<Path> extra = new ArrayList<>();

    /** The shipped folder (if set) and the {@code --plugins} ones, checked. */
    List<Path> sources() {
        List<Path> sources = new ArrayList<>();
        String env = System.getenv("SCARCITY_PLUGINS_DIR");
        if (env != null && !env.isBlank()) {
            sources.add(Path.of(env));
        }
        for (Path p : extra) {
            if (Files.isDirectory(p)) {
                try (var files = Files.list(p)) {
                    if (files.noneMatch(f -> f.getFileName().toString().endsWith(".jar"))) {
                        throw new UserException("--plugins " + p + ": the folder holds no plugin archives (*.jar); put the "
                                + "plugin's jar there, or pass the jar itself");
                    }
                } catch (java.io.IOException e) {
                    throw new UserException("--plugins " + p + ": cannot list the folder: " + io.scarcity.runtime.Faults.describe(e));
                }
            } else if (!Files.exists(p)) {
                throw new UserException("--plugins " + p + ": no such folder or archive; pass the folder holding the plugin "
                        + "archives, or one archive (.jar)");
            }
            sources.add(p);
        }
        return sources;
    }

    public PluginRegistry load() {
        return load(List.of());
    }

    /** Loads the plugins, with {@code more} sources (e.g. the ones a resumed run used) added. */
    public PluginRegistry load(List<Path> more) {
        List<Path> sources = sources();
        sources.addAll(more);
        return PluginRegistry.loadSources(sources, PluginOptions.class.getClassLoader());
    }

    /** Whether {@code --plugins} was given. */
    boolean given() {
        return !extra.isEmpty();
    }

    /** The {@code --plugins} folders and archives given, as given (for passing on to another command). */
    public List<Path> extraSources() {
        return List.copyOf(extra);
    }
}
