package io.scarcity.runtime.run;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.scarcity.runtime.plugin.InstalledPlugin;
import io.scarcity.runtime.plugin.PluginRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code plugins.json} in a run folder: the folders and archives the run loaded plugins from with
 * {@code --plugins}, and every plugin with its version and origin, so that a resume loads the same
 * plugins without being told again and says where they were if they moved. The shipped folder
 * ({@code SCARCITY_PLUGINS_DIR}) is not recorded: a resume uses the shipped plugins of the Scarcity that
 * resumes it (recording it would load two copies of every shipped plugin after an upgrade).
 */
public final class PluginSources {
    static final String FILE = "plugins.json";

    private PluginSources() {
    }

    static void write(Path runDir, PluginRegistry registry) throws IOException {
        Map<String, Object> doc = new LinkedHashMap<>();
        String shipped = System.getenv("SCARCITY_PLUGINS_DIR");
        Path shippedDir = shipped == null || shipped.isBlank() ? null : Path.of(shipped).toAbsolutePath().normalize();
        doc.put("sources", registry.sources().stream().filter(p -> !p.equals(shippedDir)).map(Path::toString).toList());
        List<Map<String, String>> plugins = new ArrayList<>();
        for (InstalledPlugin p : registry.all()) {
            plugins.add(Map.of("kind", p.kind().label(), "name", p.name(), "version", p.version(), "origin", p.origin()));
        }
        doc.put("plugins", plugins);
        Files.writeString(runDir.resolve(FILE), new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
                .writeValueAsString(doc) + "\n");
    }

    /** The sources a run folder recorded (none if it has no readable {@code plugins.json}, e.g. an older run). */
    public static List<Path> recorded(Path runDir) {
        List<Path> out = new ArrayList<>();
        try {
            JsonNode doc = new ObjectMapper().readTree(runDir.resolve(FILE).toFile());
            if (doc != null) {
                for (JsonNode s : doc.path("sources")) {
                    if (s.isTextual()) {
                        out.add(Path.of(s.asText()));
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            // no record: the resume uses the plugins it is given
        }
        return out;
    }
}
