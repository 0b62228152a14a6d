package io.scarcity.runtime.config;

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
        // YAML 1.1 reads a bare off/on as a boolean
        progress = "false".equals(progress) ? "off" : "true".equals(progress) ? "auto" : progress;
        if (dir == null || dir.isBlank()) {
            throw new ConfigException("dir", "expected a folder for run outputs, e.g. runs");
        }
        if (progress == null || !PROGRESS.contains(progress)) {
            throw new ConfigException("progress", "expected one of " + String.join(", ", PROGRESS) + ", got '" + progress + "'");
        }
    }
}
