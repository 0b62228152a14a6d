package io.scarcity.api;

import java.util.Objects;

/**
 * A bad option value, thrown by a plugin's options record while validating itself, where the full path
 * of the plugin's config is not known. It names the key relative to the plugin's config; the factory
 * (or the runtime) turns it into a {@link ConfigException} with the full path via
 * {@link PluginConfig#invalid(InvalidOptionException)}.
 */
public final class InvalidOptionException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;
    private final String key;
    private final String reason;

    public InvalidOptionException(String key, String reason) {
        super(Objects.requireNonNull(key, "key is null") + ": " + reason);
        this.key = key;
        this.reason = reason;
    }

    /** The option's key relative to the plugin's config, e.g. {@code learningRate} or {@code mix.working}. */
    public String key() {
        return key;
    }

    /** What is wrong and what is accepted. */
    public String reason() {
        return reason;
    }
}
