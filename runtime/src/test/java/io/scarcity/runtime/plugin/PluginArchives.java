package io.scarcity.runtime.plugin;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Stream;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;

/**
 * Builds PF4J plugin archives on the fly: compiles a factory from source against the api on the test
 * class path and jars it with a manifest descriptor and a META-INF/services registration, exactly as
 * the plugins/ build does.
 */
final class PluginArchives {
    private PluginArchives() {
    }

    /**
     * The source of the example third-party plugin in examples/majority-expert (the one CONTRIBUTING.md
     * walks through), renamed to {@code pluginName} in package {@code pkg} so that one test can install
     * several copies.
     */
    static String majorityExpertSource(String pkg, String pluginName) {
        try {
            Path file = io.scarcity.runtime.config.QuickstartPaths.configs().getParent()
                    .resolve("examples/majority-expert/src/main/java/com/example/majority/MajorityExpertFactory.java");
            return Files.readString(file)
                    .replace("package com.example.majority;", "package " + pkg + ";")
                    .replace("return \"majority\";", "return \"" + pluginName + "\";");
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /**
     * Compiles {@code source} (class {@code pkg.MajorityExpertFactory}) and writes {@code dir/<id>.jar}.
     *
     * @param requires the Plugin-Requires range
     */
    static Path build(Path dir, String id, String pkg, String source, String requires) throws IOException {
        return build(dir, id, pkg, "MajorityExpertFactory", source, requires);
    }

    /**
     * The source of a test class of package {@code io.scarcity.faulty} (e.g. a plugin with a bug), moved to
     * package {@code pkg}.
     */
    static String testSource(String className, String pkg) throws IOException {
        return Files.readString(Path.of("src/test/java/io/scarcity/faulty/" + className + ".java"))
                .replace("package io.scarcity.faulty;", "package " + pkg + ";");
    }

    /** Compiles {@code source} (expert factory {@code pkg.className}) and writes {@code dir/<id>.jar}. */
    static Path build(Path dir, String id, String pkg, String className, String source, String requires) throws IOException {
        Path work = Files.createTempDirectory("plugin-src");
        Path src = work.resolve("src/" + pkg.replace('.', '/') + "/" + className + ".java");
        Files.createDirectories(src.getParent());
        Files.writeString(src, source);
        Path classes = Files.createDirectories(work.resolve("classes"));
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        int rc = javac.run(null, null, null, "-d", classes.toString(), "-cp", System.getProperty("java.class.path"),
                "--release", "17", src.toString());
        if (rc != 0) {
            throw new IllegalStateException("test plugin did not compile");
        }
        Manifest mf = new Manifest();
        Attributes a = mf.getMainAttributes();
        a.put(Attributes.Name.MANIFEST_VERSION, "1.0");
        a.putValue("Plugin-Id", id);
        a.putValue("Plugin-Version", "1.2.3");
        a.putValue("Plugin-Requires", requires);
        a.putValue("Plugin-Class", "org.pf4j.Plugin");
        Files.createDirectories(dir);
        Path jar = dir.resolve(id + ".jar");
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar), mf)) {
            // Directory entries matter: PF4J finds META-INF/services as a resource of the archive.
            out.putNextEntry(new JarEntry("META-INF/services/"));
            out.closeEntry();
            out.putNextEntry(new JarEntry("META-INF/services/io.scarcity.api.ExpertFactory"));
            out.write((pkg + "." + className + "\n").getBytes(StandardCharsets.UTF_8));
            out.closeEntry();
            try (Stream<Path> files = Files.walk(classes)) {
                for (Path f : files.sorted().toList()) {
                    String name = classes.relativize(f).toString().replace('\\', '/');
                    if (name.isEmpty()) {
                        continue;
                    }
                    if (Files.isDirectory(f)) {
                        out.putNextEntry(new JarEntry(name + "/"));
                    } else {
                        out.putNextEntry(new JarEntry(name));
                        out.write(Files.readAllBytes(f));
                    }
                    out.closeEntry();
                }
            }
        }
        return jar;
    }

}
