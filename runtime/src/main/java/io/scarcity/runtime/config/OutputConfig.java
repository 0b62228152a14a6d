package io.scarcity.runtime.config;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import io.scarcity.api.ConfigException;
import java.util.List;

/**
 * Where runs go and how progress is shown.
 *
 * @param dir folder under which each run gets {@code <name>-<timestamp>/}
 * @param progress {@code auto} (a bar on a terminal, lines otherwise), {@code bar}, {@code lines} or {@code off}
 */
public record OutputConfig(String dir, String progress) {
    static final List<String> PROGRESS = List.of("auto", "bar", "lines", "off");

    public OutputConfig {
        if (dir == null || dir.isBlank()) {
            throw new ConfigException("dir", "expected a folder for run outputs, e.g. runs");
        }
        if (progress == null || !PROGRESS.contains(progress)) {
            throw new ConfigException("progress", "expected one of " + String.join(", ", PROGRESS) + ", got '" + progress + "'");
        }
    }

    /** YAML 1.1 reads a bare {@code off} as {@code false}; here that is what the user meant. */
    @JsonCreator
    static OutputConfig fromYaml(@JsonProperty("dir") JsonNode dir, @JsonProperty("progress") JsonNode progress) {
        if (dir != null && !dir.isTextual()) {
            throw new ConfigException("dir", "expected a folder name (text), got " + dir);
        }
        String p = progress == null || progress.isNull() ? null
                : progress.isBoolean() ? (progress.asBoolean() ? "auto" : "off")
                : progress.isTextual() ? progress.asText() : progress.toString();
        return new OutputConfig(dir == null ? null : dir.asText(), p);
    }
}
