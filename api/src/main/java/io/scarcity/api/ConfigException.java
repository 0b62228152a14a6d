package io.scarcity.api;

/**
 * A configuration the user wrote is wrong: an unknown key, a value of the wrong type, a value out of
 * range, an unknown plugin name. The message names the key's full path, the bad value and what would
 * be accepted, so that the user can fix the file without reading a stack trace.
 */
public final class ConfigException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final String path;
    private final String reason;

    public ConfigException(String path, String message) {
        super(path == null || path.isEmpty() ? message : path + ": " + message);
        this.path = path == null ? "" : path;
        this.reason = message;
    }

    /** What is wrong, without the path. */
    public String reason() {
        return reason;
    }

    /** Full dotted path of the offending key, e.g. {@code experts[0].config.learningRate}; empty for the whole file. */
    public String path() {
        return path;
    }
}
