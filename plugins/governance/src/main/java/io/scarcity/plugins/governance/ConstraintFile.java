package io.scarcity.plugins.governance;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.scarcity.api.ConfigException;
import io.scarcity.api.PluginConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Map;

/**
 * A constraints file: YAML holding {@code rules:}, a list of rules written as inline ones are. Read with
 * the Jackson YAML the runtime has on its class path (this archive does not bundle it); only this class
 * touches Jackson, so inline rules work without it.
 */
final class ConstraintFile {
    private static final ObjectMapper YAML = JsonMapper.builder(new YAMLFactory())
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .build();

    private ConstraintFile() {
    }

    /**
     * The file's top-level mapping as a config view with an empty path, so that the keys of its errors
     * read {@code rules[2].feature}.
     *
     * @throws ConfigException (with an empty path) if the file is missing, unreadable, not YAML or not a mapping
     */
    @SuppressWarnings("unchecked")
    static PluginConfig read(Path file) {
        String text;
        try {
            text = Files.readString(file);
        } catch (NoSuchFileException e) {
            throw new ConfigException("", "the constraints file does not exist");
        } catch (IOException e) {
            throw new ConfigException("", "cannot read the constraints file: " + e.getMessage());
        }
        Object tree;
        try {
            // readTree, not readValue: a file of comments only is empty, not malformed
            JsonNode node = YAML.readTree(text);
            tree = node == null || node.isMissingNode() || node.isNull() ? null : YAML.treeToValue(node, Object.class);
        } catch (JsonProcessingException e) {
            String where = e.getLocation() == null ? "" : " at line " + e.getLocation().getLineNr()
                    + ", column " + e.getLocation().getColumnNr();
            throw new ConfigException("", "not valid YAML" + where + ": " + e.getOriginalMessage());
        }
        if (!(tree instanceof Map<?, ?> map)) {
            throw new ConfigException("", (tree == null ? "is empty" : "is not a mapping")
                    + "; it should hold 'rules:' with a list of rules, e.g. rules: [{type: range, feature: f1, min: 0}]");
        }
        return PluginConfig.of("", (Map<String, ?>) map);
    }
}
