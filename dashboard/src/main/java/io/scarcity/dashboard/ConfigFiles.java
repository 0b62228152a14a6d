package io.scarcity.dashboard;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The configs folder: the YAML files a run can be started from (the bench suites in {@code bench/} are left out: they
 * are not run configs). Only files that really lie under the folder resolve.
 */
final class ConfigFiles {
    private final Path root;
    private final ObjectMapper json = new ObjectMapper();
    /** Reads YAML for the page (a config's main values, a run's own config): the loader checks it when it runs. */
    static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private final ObjectMapper yaml = YAML;

    ConfigFiles(Path root) {
        this.root = root.toAbsolutePath().normalize();
    }

    Path root() {
        return root;
    }

    /** Every run config under the folder (three levels deep at most), as paths relative to it, sorted. */
    ArrayNode list() throws IOException {
        ArrayNode out = json.createArrayNode();
        if (!Files.isDirectory(root)) {
            return out;
        }
        try (Stream<Path> files = Files.walk(root, 3)) {
            files.filter(Files::isRegularFile)
                    .filter(p -> p.toString().endsWith(".yaml") || p.toString().endsWith(".yml"))
                    .map(p -> root.relativize(p).toString().replace('\\', '/'))
                    .filter(p -> !p.startsWith("bench/") && resolve(p).isPresent())
                    .sorted()
                    .forEach(out::add);
        }
        return out;
    }

    /** The file {@code relative} names, if it is a YAML file under the folder (also after following links). */
    Optional<Path> resolve(String relative) {
        if (relative == null || relative.isBlank() || relative.contains("\0") || !(relative.endsWith(".yaml") || relative.endsWith(".yml"))) {
            return Optional.empty();
        }
        Path file;
        try {
            file = root.resolve(relative).normalize();
        } catch (RuntimeException e) {
            return Optional.empty();
        }
        if (!file.startsWith(root) || !Files.isRegularFile(file) || !RunFolders.reallyUnder(root, file)) {
            return Optional.empty();
        }
        return Optional.of(file);
    }

    /**
     * The file's text and the main values the page offers controls for: name, seed, rounds, each domain's name and
     * clients, the experts' plugins, router, memory, gossip and federation mode (absent when the file leaves them to the
     * defaults).
     */
    ObjectNode describe(Path file) throws IOException {
        ObjectNode out = json.createObjectNode();
        String text = Files.readString(file, StandardCharsets.UTF_8);
        out.put("path", root.relativize(file).toString().replace('\\', '/'));
        out.put("text", text);
        JsonNode tree;
        try {
            tree = yaml.readTree(text);
        } catch (IOException e) {
            out.put("problem", "the file is not valid YAML: " + (e instanceof com.fasterxml.jackson.core.JsonProcessingException j ? j.getOriginalMessage() : e.getMessage()));
            return out;
        }
        if (tree == null || !tree.isObject()) {
            out.put("problem", "the file holds no YAML mapping");
            return out;
        }
        for (String k : new String[] {"name", "seed", "rounds"}) {
            if (tree.has(k)) {
                out.set(k, tree.get(k));
            }
        }
        ArrayNode domains = out.putArray("domains");
        for (JsonNode d : tree.path("domains")) {
            ObjectNode n = domains.addObject();
            n.put("name", d.path("name").asText(""));
            n.put("clients", d.path("clients").asInt(1));
        }
        ArrayNode experts = out.putArray("experts");
        for (JsonNode e : tree.path("experts")) {
            ObjectNode n = experts.addObject();
            n.put("plugin", e.path("plugin").asText(""));
            n.put("name", e.path("name").asText(e.path("plugin").asText("")));
            n.set("entry", e); // the whole entry (name, config), so that the page can keep it as it is in a changed list
        }
        for (String k : new String[] {"router", "memory", "gossip"}) {
            if (tree.path(k).path("plugin").isTextual()) {
                out.put(k, tree.path(k).path("plugin").asText());
            }
        }
        if (tree.path("federation").path("mode").isTextual()) {
            out.put("federationMode", tree.path("federation").path("mode").asText());
        }
        return out;
    }
}
