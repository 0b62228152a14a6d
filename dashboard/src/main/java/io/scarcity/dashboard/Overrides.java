package io.scarcity.dashboard;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.util.Iterator;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * What the page may override. A run's config names files, addresses, keys and secrets (a stream's {@code path}, the
 * store's {@code url}, the audit {@code key}, ...): set from a web page, those would let whoever reaches it read or write
 * files outside the runs and configs folders. So an override whose text values sit under such a key, or look like a path
 * or an address, is refused; they belong in a config file in the configs folder. Everything else (counts, rates, plugin
 * names, modes, lists of experts with their options) may be set.
 */
final class Overrides {
    private static final Set<String> LOCATIONS = Set.of("path", "images", "labels", "url", "file", "files", "dir", "directory", "key",
            "publickey", "password", "secret", "token", "user", "plugins", "output", "store", "tls", "cert", "certificate");
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    private Overrides() {
    }

    /** Why the override {@code key=value} is refused, or null if the page may set it. */
    static String refusal(String key, String value) {
        JsonNode node;
        try {
            node = YAML.readTree(value);
        } catch (IOException e) {
            node = null;
        }
        String[] segments = key.replaceAll("\\[\\d+]", "").split("\\.");
        String last = segments[segments.length - 1];
        for (String s : segments) {
            if ((s.equalsIgnoreCase("output") || s.equalsIgnoreCase("store") || s.equalsIgnoreCase("audit"))) {
                return refuse(key, s);
            }
        }
        if (node == null || node.isMissingNode() || node.isValueNode()) {
            return check(key, last, node == null || node.isMissingNode() ? value : node.asText(), node == null || node.isTextual());
        }
        return walk(key, node);
    }

    private static String walk(String key, JsonNode node) {
        if (node.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                String r = e.getValue().isValueNode() ? check(key, e.getKey(), e.getValue().asText(), e.getValue().isTextual())
                        : LOCATIONS.contains(e.getKey().toLowerCase(Locale.ROOT)) ? refuse(key, e.getKey()) : walk(key, e.getValue());
                if (r != null) {
                    return r;
                }
            }
        } else if (node.isArray()) {
            for (JsonNode n : node) {
                String r = n.isValueNode() ? check(key, "", n.asText(), n.isTextual()) : walk(key, n);
                if (r != null) {
                    return r;
                }
            }
        }
        return null;
    }

    private static String check(String key, String field, String text, boolean textual) {
        if (textual && LOCATIONS.contains(field.toLowerCase(Locale.ROOT))) {
            return refuse(key, field);
        }
        if (textual && (text.contains("/") || text.contains("\\") || text.contains(":") || text.startsWith("~") || text.startsWith("."))) {
            return key + ": '" + text + "' looks like a path or an address; the page does not set those (it would reach files outside"
                    + " the runs and configs folders): put it in a config file in the configs folder and start that";
        }
        return null;
    }

    private static String refuse(String key, String field) {
        return key + ": the page does not set '" + field + "' (file paths, addresses, keys and secrets reach outside the runs and"
                + " configs folders): put it in a config file in the configs folder and start that";
    }
}
