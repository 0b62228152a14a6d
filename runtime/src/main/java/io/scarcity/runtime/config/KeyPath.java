package io.scarcity.runtime.config;

import io.scarcity.api.ConfigException;
import java.util.ArrayList;
import java.util.List;

/** A config key path as {@code --set} and the benchmark suites write it: {@code domains[0].clients}, {@code experts.0.config.k}. */
final class KeyPath {
    private KeyPath() {
    }

    /** A key path's parts: names and list indexes ({@code experts[0].config.k}, also {@code experts.0.config.k}). */
    private static final java.util.regex.Pattern KEY_PATH =
            java.util.regex.Pattern.compile("[A-Za-z_][A-Za-z0-9_-]*(\\[\\d+])*(\\.([A-Za-z_][A-Za-z0-9_-]*|\\d+)(\\[\\d+])*)*");

    /**
     * The segments of a key path, or an error saying what is wrong with it (an unclosed bracket, an empty
     * part, a non-numeric index).
     */
    static List<String> segments(String key, String origin, String whole) {
        if (!KEY_PATH.matcher(key).matches()) {
            String why = key.chars().filter(c -> c == '[').count() != key.chars().filter(c -> c == ']').count()
                    ? "a '[' without its ']' (or the reverse)" : key.contains("..") || key.startsWith(".") || key.endsWith(".")
                    ? "an empty part between dots" : key.matches(".*\\[[^\\]]*[^0-9\\]][^\\]]*].*") ? "a list index that is not a number"
                    : "characters a key cannot have";
            throw new ConfigException(origin, "malformed key '" + key + "' in '" + whole + "': " + why
                    + "; write it like domains[0].clients or experts[1].config.learningRate");
        }
        List<String> out = new ArrayList<>();
        for (String s : key.replace("[", ".").replace("]", "").split("\\.")) {
            out.add(s);
        }
        return out;
    }
}
