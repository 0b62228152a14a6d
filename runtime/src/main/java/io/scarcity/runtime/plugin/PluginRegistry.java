package io.scarcity.runtime.plugin;

import io.scarcity.api.ApiVersion;
import io.scarcity.api.ConfigException;
import io.scarcity.api.PluginFactory;
import io.scarcity.api.PluginKind;
import io.scarcity.runtime.UserException;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.CodeSource;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.TreeMap;
import java.util.jar.JarFile;
import java.util.jar.Manifest;
import java.util.stream.Collectors;
import org.pf4j.DefaultExtensionFinder;
import org.pf4j.DefaultPluginManager;
import org.pf4j.ExtensionFinder;
import org.pf4j.PluginManager;
import org.pf4j.PluginState;
import org.pf4j.PluginWrapper;

/**
 * Every plugin factory available to a run, found two ways that share one registration file
 * ({@code META-INF/services/<factory interface>}): {@link ServiceLoader} on the class path (tests,
 * embedding) and PF4J for plugin archives in a plugins folder, each in its own class loader, with its
 * {@code Plugin-Requires} range checked against {@link ApiVersion}. Two factories of one kind with one
 * name are refused, naming both origins.
 *
 * <p>Immutable after {@link #load}; {@link #close()} stops the PF4J plugins.
 */
public final class PluginRegistry implements AutoCloseable {
    private final Map<PluginKind, Map<String, InstalledPlugin>> byKind;
    private final PluginManager pluginManager;
    private final List<Path> sources;

    private PluginRegistry(Map<PluginKind, Map<String, InstalledPlugin>> byKind, PluginManager pluginManager, List<Path> sources) {
        this.byKind = byKind;
        this.pluginManager = pluginManager;
        this.sources = List.copyOf(sources);
    }

    /**
     * Finds every factory on the class path of {@code classLoader} and in the plugin archives of
     * {@code pluginsDir}.
     *
     * @param pluginsDir a folder of PF4J plugin archives, or {@code null} for class path only; a missing
     *        folder is an error
     * @throws UserException on duplicate names, an incompatible or broken plugin archive
     */
    public static PluginRegistry load(Path pluginsDir, ClassLoader classLoader) {
        return loadSources(pluginsDir == null ? List.of() : List.of(pluginsDir), classLoader);
    }

    /**
     * Finds every factory on the class path of {@code classLoader} and in the plugin archives of
     * {@code sources}: folders of archives and single archives ({@code .jar}), all loaded together.
     *
     * @throws UserException if a source does not exist or is not a folder or archive, on duplicate names,
     *         and for an incompatible or broken archive, or one that registers no factory
     */
    public static PluginRegistry loadSources(List<Path> sources, ClassLoader classLoader) {
        Objects.requireNonNull(classLoader, "classLoader is null");
        List<InstalledPlugin> found = new ArrayList<>();
        for (PluginKind kind : PluginKind.values()) {
            try {
                for (PluginFactory<?> factory : ServiceLoader.load(kind.factoryType(), classLoader)) {
                    found.add(describe(kind, factory, classpathOrigin(factory.getClass()), versionOf(factory.getClass())));
                }
            } catch (ServiceConfigurationError e) {
                throw new UserException("a plugin on the class path is broken: " + e.getMessage()
                        + "; rebuild it or remove it from the class path", e);
            }
        }
        List<Path> folders = new ArrayList<>();
        List<Path> archives = new ArrayList<>();
        for (Path source : sources) {
            Path abs = source.toAbsolutePath().normalize();
            if (Files.isDirectory(abs)) {
                if (!folders.contains(abs)) {
                    folders.add(abs);
                }
            } else if (Files.isRegularFile(abs) && abs.getFileName().toString().endsWith(".jar")) {
                if (!archives.contains(abs)) {
                    archives.add(abs);
                }
            } else if (Files.exists(abs)) {
                throw new UserException("plugins: " + source + " is a file but not a plugin archive (.jar); pass a plugin "
                        + "archive or the folder that holds the archives");
            } else {
                throw new UserException("plugins folder " + source + " does not exist; create it or point "
                        + "--plugins (or SCARCITY_PLUGINS_DIR) at the folder (or the archive) holding the plugins");
            }
        }
        PluginManager manager = null;
        if (!folders.isEmpty() || !archives.isEmpty()) {
            manager = startPluginManager(folders, archives);
            for (PluginWrapper plugin : manager.getPlugins()) {
                String origin = "plugin:" + plugin.getPluginId() + "@" + plugin.getPluginPath().getFileName();
                String version = plugin.getDescriptor().getVersion();
                int factories = 0;
                for (PluginKind kind : PluginKind.values()) {
                    for (Object ext : manager.getExtensions(kind.factoryType(), plugin.getPluginId())) {
                        found.add(describe(kind, (PluginFactory<?>) ext, origin, version));
                        factories++;
                    }
                }
                if (factories == 0) {
                    Path archive = plugin.getPluginPath();
                    shutdown(manager);
                    throw new UserException("the plugin archive " + archive + " (Plugin-Id '" + plugin.getPluginId()
                            + "') registers no Scarcity plugin: it has no META-INF/services/io.scarcity.api.<Kind>Factory entry "
                            + "naming a factory class (see docs/writing-plugins.md); add it and rebuild, or remove the archive");
                }
            }
        }
        Map<PluginKind, Map<String, InstalledPlugin>> byKind = new EnumMap<>(PluginKind.class);
        for (PluginKind kind : PluginKind.values()) {
            byKind.put(kind, new TreeMap<>());
        }
        for (InstalledPlugin p : found) {
            InstalledPlugin previous = byKind.get(p.kind()).putIfAbsent(p.name(), p);
            if (previous != null) {
                if (manager != null) {
                    shutdown(manager);
                }
                throw new UserException("two " + p.kind().label() + " plugins are named '" + p.name() + "': "
                        + previous.origin() + " and " + p.origin() + "; remove one of them or rename it");
            }
        }
        List<Path> all = new ArrayList<>(folders);
        all.addAll(archives);
        return new PluginRegistry(byKind, manager, all);
    }

    /** The folders and archives plugins were loaded from (absolute), beside the class path. */
    public List<Path> sources() {
        return sources;
    }

    /**
     * Checks every {@code *.jar} in the folder before PF4J sees it: PF4J logs and skips an archive it
     * cannot read, and silently keeps one of two archives with the same {@code Plugin-Id}. Here both are
     * start-up errors naming the files. Returns {@code Plugin-Id -> archive}.
     */
    private static Map<String, Path> checkArchives(List<Path> folders, List<Path> archives) {
        Map<String, Path> ids = new TreeMap<>();
        List<Path> jars = new ArrayList<>();
        for (Path folder : folders) {
            try (var files = Files.list(folder)) {
                jars.addAll(files.filter(f -> f.getFileName().toString().endsWith(".jar")).sorted().toList());
            } catch (IOException e) {
                throw new UserException("cannot list the plugins folder " + folder + ": " + io.scarcity.runtime.Faults.describe(e));
            }
        }
        for (Path jar : archives) {
            if (!jars.contains(jar)) {
                jars.add(jar);
            }
        }
        for (Path jar : jars) {
            String id;
            try (JarFile file = new JarFile(jar.toFile())) {
                Manifest m = file.getManifest();
                id = m == null ? null : m.getMainAttributes().getValue("Plugin-Id");
            } catch (IOException e) {
                throw new UserException(jar + " is not a readable jar (" + e.getMessage()
                        + "); remove it from the plugins folder or rebuild it");
            }
            if (id == null || id.isBlank()) {
                throw new UserException(jar + " has no Plugin-Id in its manifest, so it is not a plugin archive; "
                        + "add the PF4J descriptor (see docs/writing-plugins.md) or remove it from the plugins folder");
            }
            Path previous = ids.putIfAbsent(id.trim(), jar);
            if (previous != null) {
                throw new UserException("two plugin archives have Plugin-Id '" + id.trim() + "': " + previous
                        + " and " + jar + "; remove one of them (an old version?)");
            }
        }
        return ids;
    }

    private static PluginManager startPluginManager(List<Path> folders, List<Path> single) {
        Map<String, Path> archives = checkArchives(folders, single);
        String pluginsDir = folders.isEmpty() ? "the --plugins list" : folders.size() == 1 && single.isEmpty()
                ? folders.get(0).toString() : "the plugins folders";
        // With no folder, PF4J would fall back to ./plugins: give it an empty folder of its own instead.
        Path empty = null;
        List<Path> roots = new ArrayList<>(folders);
        if (roots.isEmpty()) {
            try {
                empty = Files.createTempDirectory("scarcity-plugins");
            } catch (IOException e) {
                throw new UserException("cannot create a temporary folder: " + io.scarcity.runtime.Faults.describe(e)
                        + "; set java.io.tmpdir (SCARCITY_JAVA_OPTS=-Djava.io.tmpdir=DIR) to a writable folder");
            }
            roots.add(empty);
        }
        DefaultPluginManager manager = new DefaultPluginManager(roots) {
            @Override
            protected ExtensionFinder createExtensionFinder() {
                // One registration serves both loaders: read META-INF/services, not PF4J's extensions.idx.
                DefaultExtensionFinder finder = (DefaultExtensionFinder) super.createExtensionFinder();
                finder.addServiceProviderExtensionFinder();
                return finder;
            }
        };
        manager.setSystemVersion(ApiVersion.current());
        try {
            manager.loadPlugins();
            for (Path archive : single) {
                if (folders.stream().noneMatch(f -> archive.getParent().equals(f))) {
                    manager.loadPlugin(archive);
                }
            }
            manager.startPlugins();
        } catch (RuntimeException e) {
            shutdown(manager);
            throw new UserException("cannot load the plugins in " + pluginsDir + ": " + e.getMessage(), e);
        } finally {
            if (empty != null) {
                try {
                    Files.deleteIfExists(empty);
                } catch (IOException ignored) {
                    // an empty temporary folder left behind
                }
            }
        }
        List<String> problems = new ArrayList<>();
        for (Map.Entry<String, Path> archive : archives.entrySet()) {
            if (manager.getPlugin(archive.getKey()) == null) {
                problems.add(archive.getValue().getFileName() + " (Plugin-Id '" + archive.getKey() + "') could not be loaded "
                        + "by PF4J: check that its manifest has a semantic Plugin-Version and Plugin-Class: org.pf4j.Plugin; "
                        + "rebuild it or remove it from " + pluginsDir);
            }
        }
        for (PluginWrapper plugin : manager.getPlugins()) {
            if (plugin.getPluginState() != PluginState.STARTED) {
                String requires = plugin.getDescriptor().getRequires();
                String why;
                if (requires != null && !requires.isBlank() && plugin.getPluginState() == PluginState.DISABLED) {
                    why = "it requires API " + requires + " but this runtime provides API " + ApiVersion.current()
                            + "; install a version of the plugin built for API " + ApiVersion.current()
                            + " or remove it from " + pluginsDir;
                } else {
                    Throwable t = plugin.getFailedException();
                    why = "it is " + plugin.getPluginState().toString().toLowerCase()
                            + (t == null ? "" : " (" + t.getMessage() + ")") + "; rebuild it or remove it from " + pluginsDir;
                }
                problems.add("plugin '" + plugin.getPluginId() + "' (" + plugin.getPluginPath().getFileName()
                        + ") cannot be used: " + why);
            }
        }
        if (!problems.isEmpty()) {
            shutdown(manager);
            throw new UserException(String.join("\n", problems));
        }
        return manager;
    }

    private static InstalledPlugin describe(PluginKind kind, PluginFactory<?> factory, String origin, String version) {
        String name;
        try {
            name = factory.name();
        } catch (RuntimeException e) {
            throw new UserException("the " + kind.label() + " factory " + factory.getClass().getName() + " from " + origin
                    + " fails to report its name: " + e);
        }
        if (name == null || !PluginFactory.NAME_PATTERN.matcher(name).matches()) {
            throw new UserException("the " + kind.label() + " factory " + factory.getClass().getName() + " from " + origin
                    + " has an invalid name '" + name + "': names must match " + PluginFactory.NAME_PATTERN.pattern());
        }
        String description = factory.description() == null ? "" : factory.description();
        return new InstalledPlugin(kind, name, version, origin, description, factory);
    }

    private static String classpathOrigin(Class<?> type) {
        CodeSource source = type.getProtectionDomain().getCodeSource();
        if (source == null || source.getLocation() == null) {
            return "classpath";
        }
        try {
            Path p = Path.of(source.getLocation().toURI());
            return "classpath:" + (p.getFileName() == null ? p : p.getFileName());
        } catch (URISyntaxException | IllegalArgumentException e) {
            return "classpath:" + source.getLocation();
        }
    }

    private static String versionOf(Class<?> type) {
        CodeSource source = type.getProtectionDomain().getCodeSource();
        if (source != null && source.getLocation() != null) {
            try {
                Path p = Path.of(source.getLocation().toURI());
                if (Files.isRegularFile(p)) {
                    try (JarFile jar = new JarFile(p.toFile())) {
                        Manifest m = jar.getManifest();
                        if (m != null && m.getMainAttributes().getValue("Plugin-Version") != null) {
                            return m.getMainAttributes().getValue("Plugin-Version");
                        }
                    }
                }
            } catch (IOException | URISyntaxException | IllegalArgumentException e) {
                // fall through: the version is informative only
            }
        }
        String v = type.getPackage() == null ? null : type.getPackage().getImplementationVersion();
        return v == null ? "dev" : v;
    }

    /** Every installed plugin, sorted by kind then name. */
    public List<InstalledPlugin> all() {
        return byKind.values().stream().flatMap(m -> m.values().stream()).collect(Collectors.toList());
    }

    /** Names installed for a kind, sorted. */
    public List<String> names(PluginKind kind) {
        return List.copyOf(byKind.get(kind).keySet());
    }

    /**
     * The factory a config selects.
     *
     * @param path the config key that named it, for the error
     * @throws ConfigException naming the installed plugins of that kind if none is called {@code name}
     */
    public InstalledPlugin require(PluginKind kind, String name, String path) {
        InstalledPlugin p = byKind.get(kind).get(name);
        if (p == null) {
            List<String> installed = names(kind);
            String near = closest(name, installed);
            throw new ConfigException(path, "unknown " + kind.label() + " plugin '" + name + "'"
                    + (near == null ? "" : " (did you mean '" + near + "'?)") + "; installed "
                    + kind.label() + " plugins: " + (installed.isEmpty() ? "none (is the plugins folder empty?)"
                    : String.join(", ", installed)));
        }
        return p;
    }

    /** The installed name within edit distance 2 of {@code name} (the nearest, first on ties), or {@code null}. */
    static String closest(String name, List<String> installed) {
        String best = null;
        int bestDistance = 3;
        for (String candidate : installed) {
            int d = editDistance(name.toLowerCase(java.util.Locale.ROOT), candidate.toLowerCase(java.util.Locale.ROOT));
            if (d < bestDistance) {
                best = candidate;
                bestDistance = d;
            }
        }
        return best;
    }

    /** Levenshtein distance (insertions, deletions, substitutions). */
    static int editDistance(String a, String b) {
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int substitution = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                current[j] = Math.min(substitution, Math.min(previous[j], current[j - 1]) + 1);
            }
            int[] t = previous;
            previous = current;
            current = t;
        }
        return previous[b.length()];
    }

    /** Stops PF4J plugins, if any were loaded. */
    @Override
    public void close() {
        if (pluginManager != null) {
            shutdown(pluginManager);
        }
    }

    /**
     * Stops and unloads every plugin one by one (PF4J 3.15's {@code stopPlugins()} modifies the list it
     * iterates and throws), closing their class loaders.
     */
    private static void shutdown(PluginManager manager) {
        List<PluginWrapper> started = new ArrayList<>(manager.getStartedPlugins());
        java.util.Collections.reverse(started);
        for (PluginWrapper w : started) {
            manager.stopPlugin(w.getPluginId());
        }
        for (PluginWrapper w : new ArrayList<>(manager.getPlugins())) {
            manager.unloadPlugin(w.getPluginId());
        }
    }

    /** Sorted view for listings. */
    public static Comparator<InstalledPlugin> listingOrder() {
        return Comparator.comparing(InstalledPlugin::kind).thenComparing(InstalledPlugin::name);
    }
}
