package io.scarcity.dashboard;

import com.fasterxml.jackson.databind.JsonNode;
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
    private Overrides() {
    }

    /** Why the override {@code key=value} is refused, or null if the page may set it. */
    static String refusal(String key, String value) {
        // judged exactly as the loader will apply it: its own parser, which keeps text that is not one YAML value as text
        JsonNode node = io.scarcity.runtime.config.ConfigLoader.overrideValue(value);
        String[] segments = key.replaceAll("\\[\\d+]", "").split("\\.");
        for (String s : segments) {
            String lower = s.toLowerCase(Locale.ROOT);
            if (lower.equals("output") || lower.equals("store") || lower.equals("audit")) {
                return refuse(key, s);
            }
        }
        String last = segments[segments.length - 1];
        if (LOCATIONS.contains(last.toLowerCase(Locale.ROOT))) {
            return refuse(key, last); // whatever its value: a list or map of locations too
        }
        return node.isValueNode() ? check(key, segments[segments.length - 1], node) : walk(key, node);
    }

    private static String walk(String key, JsonNode node) {
        if (node.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                String name = e.getKey();
                if (LOCATIONS.contains(name.toLowerCase(Locale.ROOT)) || looksLikeALocation(name)) {
                    return refuse(key, name);
                }
                String r = e.getValue().isValueNode() ? check(key, name, e.getValue()) : walk(key, e.getValue());
                if (r != null) {
                    return r;
                }
            }
        } else if (node.isArray()) {
            for (JsonNode n : node) {
                String r = n.isValueNode() ? check(key, "", n) : walk(key, n);
                if (r != null) {
                    return r;
                }
            }
        }
        return null;
    }

    private static String check(String key, String field, JsonNode value) {
        if (!(value.isTextual() || value.isNumber() || value.isBoolean() || value.isNull())) {
            return key + ": the page sets only text, numbers and true/false (got a " + value.getNodeType() + " value)";
        }
        if (!value.isTextual()) {
            return null;
        }
        String text = value.asText();
        if (LOCATIONS.contains(field.toLowerCase(Locale.ROOT))) {
            return refuse(key, field);
        }
        if (looksLikeALocation(text)) {
            return key + ": '" + text + "' looks like a path or an address; the page does not set those (it would reach files outside"
                    + " the runs and configs folders): put it in a config file in the configs folder and start that";
        }
        return null;
    }

    private static boolean looksLikeALocation(String text) {
        return text.contains("/") || text.contains("\\") || text.contains(":") || text.startsWith("~") || text.startsWith(".");
    }

    /**
     * Why a run's own config ({@code config.yaml} of a run folder) is not resumed from the page, or null if it may be:
     * a resume runs it as written, so a copied or crafted run folder could name files anywhere. Refused: a path that
     * leads out of the project (the configs folder's parent, where the data cache is too), read as a config in the
     * configs folder reads it; a home-relative path ({@code ~}); a coordinator store other than the run folder's own
     * ({@code sqlite}, {@code memory}); an audit key of its own.
     */
    static String resumeRefusal(JsonNode config, java.nio.file.Path configsRoot) {
        if (config == null || !config.isObject()) {
            return "its config.yaml cannot be read";
        }
        String store = config.path("coordinator").path("store").path("url").asText("sqlite");
        if (!store.equals("sqlite") && !store.equals("memory")) {
            return "its coordinator store is " + store.replaceAll("//[^@/]*@", "//***@") + ", outside its folder";
        }
        JsonNode audit = config.path("privacy").path("audit");
        if (audit.path("key").isTextual() || audit.path("publicKey").isTextual()) {
            return "it signs its audit log with a key from outside its folder";
        }
        // output.dir is where the run folder was made: a resume writes into the folder itself, never there
        com.fasterxml.jackson.databind.node.ObjectNode rest = ((com.fasterxml.jackson.databind.node.ObjectNode) config).deepCopy();
        rest.remove("output");
        java.nio.file.Path root = configsRoot.toAbsolutePath().normalize();
        java.nio.file.Path project = root.getParent() == null ? root : root.getParent();
        return outsidePath(rest, root, project);
    }

    private static String outsidePath(JsonNode node, java.nio.file.Path configs, java.nio.file.Path project) {
        if (node.isTextual()) {
            String t = node.asText();
            if (!looksLikeALocation(t)) {
                return null;
            }
            if (t.startsWith("~")) {
                return "it names " + t + ", in a home folder";
            }
            try {
                java.nio.file.Path p = configs.resolve(t).normalize();
                return p.startsWith(project) ? null : "it names " + t + ", outside " + project;
            } catch (RuntimeException e) {
                return null; // not a path (e.g. a URL-like text): the store and keys are checked above
            }
        }
        for (JsonNode child : node) {
            String r = outsidePath(child, configs, project);
            if (r != null) {
                return r;
            }
        }
        return null;
    }

    private static String refuse(String key, String field) {
        return key + ": the page does not set '" + field + "' (file paths, addresses, keys and secrets reach outside the runs and"
                + " configs folders): put it in a config file in the configs folder and start that";
    }
}
