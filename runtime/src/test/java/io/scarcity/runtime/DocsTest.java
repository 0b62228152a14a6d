package io.scarcity.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The documentation stays navigable: every relative link in the repository's front-page markdown
 * (README.md, CONTRIBUTING.md, the other *.md files of the root) and in docs/ resolves to a file or
 * folder of the repository, the README stays a front door of at most 200 lines, and every shipped
 * plugin has its section in docs/configuration.md.
 */
class DocsTest {
    static final int README_MAX_LINES = 200;

    /** {@code [text](target)} or {@code ![alt](target)}, with an optional title; the target without {@code <>}. */
    private static final Pattern LINK = Pattern.compile(
            "!?\\[[^\\[\\]]*\\]\\(\\s*<?([^)\\s>]+)>?(?:\\s+(?:\"[^\"]*\"|'[^']*'))?\\s*\\)");
    /** An inline code span: its content is not markdown, so brackets in it are not links. */
    private static final Pattern CODE_SPAN = Pattern.compile("(`+)(.+?)\\1");
    /** A URI scheme ({@code https:}, {@code mailto:}, ...): such a link leaves the repository. */
    private static final Pattern SCHEME = Pattern.compile("^[A-Za-z][A-Za-z0-9+.-]*:");
    /** A factory's {@code name()} returning a string literal. */
    private static final Pattern FACTORY_NAME = Pattern.compile(
            "String\\s+name\\s*\\(\\s*\\)\\s*\\{\\s*return\\s+\"([^\"]+)\"\\s*;");

    @Test
    void everyRelativeLinkResolves() throws IOException {
        Path root = repositoryRoot();
        List<Path> files = markdownFiles(root);
        assertTrue(files.contains(root.resolve("README.md")), "README.md is checked");
        assertTrue(files.contains(root.resolve("CONTRIBUTING.md")), "CONTRIBUTING.md is checked");
        assertTrue(files.stream().anyMatch(f -> f.startsWith(root.resolve("docs"))), "docs/ has markdown files");
        List<String> dangling = new ArrayList<>();
        for (Path file : files) {
            dangling.addAll(danglingLinks(root, file));
        }
        if (!dangling.isEmpty()) {
            fail(dangling.size() + " relative link(s) point at nothing in the repository:\n  "
                    + String.join("\n  ", dangling));
        }
    }

    @Test
    void theReadmeIsAFrontDoor() throws IOException {
        Path readme = repositoryRoot().resolve("README.md");
        long lines;
        try (Stream<String> s = Files.lines(readme, StandardCharsets.UTF_8)) {
            lines = s.count();
        }
        assertTrue(lines <= README_MAX_LINES, readme + " has " + lines + " lines; keep it at most " + README_MAX_LINES
                + " and move reference material to docs/");
    }

    @Test
    void everyShippedPluginHasAConfigurationSection() throws IOException {
        Path root = repositoryRoot();
        Map<String, String> names = shippedPluginNames(root);
        assertTrue(names.size() >= 20, "expected the shipped plugins' factories, found " + names);
        Path page = root.resolve("docs/configuration.md");
        List<String> headings = new ArrayList<>();
        for (String line : Files.readAllLines(page, StandardCharsets.UTF_8)) {
            if (line.startsWith("### ")) {
                headings.add(line.substring(4).trim());
            }
        }
        List<String> missing = new ArrayList<>();
        names.forEach((factory, name) -> {
            if (!headings.contains(name)) {
                missing.add("### " + name + "  (" + factory + ")");
            }
        });
        assertTrue(missing.isEmpty(), page + " has no section for these shipped plugins:\n  " + String.join("\n  ", missing));
    }

    /** The checker itself: a dangling link is reported with file, line and link; good ones, code and URLs are not. */
    @Test
    void aDanglingLinkIsReportedWithFileLineAndLink(@TempDir Path root) throws IOException {
        Files.createDirectories(root.resolve("docs/sub"));
        Files.writeString(root.resolve("docs/sub/there.md"), "# there\n");
        Path page = root.resolve("docs/page.md");
        Files.writeString(page, String.join("\n",
                "# Page",
                "[ok](sub/there.md) [ok with anchor](sub/there.md#there) [folder](sub/) [self](#page)",
                "[web](https://example.org/x) [mail](mailto:a@example.org) ![image](sub/there.md \"title\")",
                "`[not a link](missing-in-code.md)` and [broken](missing.md#part)",
                "```",
                "[also not a link](missing-in-fence.md)",
                "```",
                "[escapes the repository](../../outside.md)",
                ""));
        List<String> dangling = danglingLinks(root, page);
        assertEquals(2, dangling.size(), dangling.toString());
        assertEquals("docs/page.md:4: [..](missing.md#part) -> missing.md does not exist", dangling.get(0));
        assertTrue(dangling.get(1).startsWith("docs/page.md:8: [..](../../outside.md)"), dangling.get(1));
    }

    /** Walks up from the working directory to the folder that holds pom.xml, README.md and docs/. */
    static Path repositoryRoot() {
        Path start = Path.of("").toAbsolutePath();
        for (Path p = start; p != null; p = p.getParent()) {
            if (Files.isRegularFile(p.resolve("pom.xml")) && Files.isRegularFile(p.resolve("README.md"))
                    && Files.isDirectory(p.resolve("docs"))) {
                return p;
            }
        }
        throw new IllegalStateException("no folder with pom.xml, README.md and docs/ above " + start);
    }

    /** The *.md files of the root (README.md, CONTRIBUTING.md, ...) and of docs/, recursively, in order. */
    static List<Path> markdownFiles(Path root) throws IOException {
        List<Path> files = new ArrayList<>();
        try (Stream<Path> top = Files.list(root)) {
            top.filter(DocsTest::isMarkdown).sorted().forEach(files::add);
        }
        try (Stream<Path> docs = Files.walk(root.resolve("docs"))) {
            docs.filter(DocsTest::isMarkdown).sorted().forEach(files::add);
        }
        return files;
    }

    private static boolean isMarkdown(Path p) {
        return Files.isRegularFile(p) && p.getFileName().toString().endsWith(".md");
    }

    /**
     * The relative links of {@code file} that resolve to nothing inside {@code root}, each as
     * {@code path:line: [..](link) -> why}. Links in fenced code blocks and code spans are not links;
     * links with a scheme (https, mailto, ...) and pure {@code #anchor}s are not checked.
     */
    static List<String> danglingLinks(Path root, Path file) throws IOException {
        List<String> out = new ArrayList<>();
        String where = root.relativize(file).toString().replace('\\', '/');
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        String fence = null;
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            String trimmed = line.stripLeading();
            if (fence == null && (trimmed.startsWith("```") || trimmed.startsWith("~~~"))) {
                fence = trimmed.substring(0, 3);
                continue;
            }
            if (fence != null) {
                if (trimmed.startsWith(fence)) {
                    fence = null;
                }
                continue;
            }
            Matcher m = LINK.matcher(CODE_SPAN.matcher(line).replaceAll("code"));
            while (m.find()) {
                String link = m.group(1);
                String problem = problem(root, file, link);
                if (problem != null) {
                    out.add(where + ":" + (i + 1) + ": [..](" + link + ") -> " + problem);
                }
            }
        }
        return out;
    }

    /** Why {@code link} in {@code file} is dangling, or {@code null} if it resolves or is not checked. */
    private static String problem(Path root, Path file, String link) {
        if (link.startsWith("#") || SCHEME.matcher(link).find()) {
            return null;
        }
        String path = link;
        int cut = path.indexOf('#');
        if (cut >= 0) {
            path = path.substring(0, cut);
        }
        cut = path.indexOf('?');
        if (cut >= 0) {
            path = path.substring(0, cut);
        }
        path = URLDecoder.decode(path.replace("+", "%2B"), StandardCharsets.UTF_8);
        Path target = (path.startsWith("/") ? root.resolve(path.substring(1)) : file.getParent().resolve(path)).normalize();
        if (!target.startsWith(root)) {
            return path + " is outside the repository";
        }
        if (!Files.exists(target)) {
            return path + " does not exist";
        }
        return null;
    }

    /**
     * Every factory registered in plugins/<module>/src/main/resources/META-INF/services/io.scarcity.api.*Factory,
     * with the name its source's {@code name()} returns: factory class -> name.
     */
    static Map<String, String> shippedPluginNames(Path root) throws IOException {
        Map<String, String> names = new TreeMap<>();
        List<Path> modules;
        try (Stream<Path> s = Files.list(root.resolve("plugins"))) {
            modules = s.filter(Files::isDirectory).sorted().toList();
        }
        for (Path module : modules) {
            Path services = module.resolve("src/main/resources/META-INF/services");
            if (!Files.isDirectory(services)) {
                continue;
            }
            List<Path> registrations;
            try (Stream<Path> s = Files.list(services)) {
                registrations = s.filter(p -> p.getFileName().toString().matches("io\\.scarcity\\.api\\.[A-Za-z]+Factory"))
                        .sorted().toList();
            }
            for (Path registration : registrations) {
                for (String raw : Files.readAllLines(registration, StandardCharsets.UTF_8)) {
                    String factory = raw.replaceAll("#.*", "").trim();
                    if (factory.isEmpty()) {
                        continue;
                    }
                    Path source = module.resolve("src/main/java/" + factory.replace('.', '/') + ".java");
                    assertTrue(Files.isRegularFile(source), registration + " names " + factory + ", but " + source + " is missing");
                    Matcher m = FACTORY_NAME.matcher(Files.readString(source, StandardCharsets.UTF_8));
                    assertTrue(m.find(), source + ": no name() returning a string literal");
                    names.put(factory, m.group(1));
                }
            }
        }
        return names;
    }
}
