package io.scarcity.api;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

/** The version of this API, against which plugins' {@code Plugin-Requires} ranges are checked. */
public final class ApiVersion {
    private static final String VERSION = load();

    private ApiVersion() {
    }

    /** A semantic version, e.g. {@code 0.1.0}. */
    public static String current() {
        return VERSION;
    }

    private static String load() {
        try (InputStream in = ApiVersion.class.getResourceAsStream("api-version.properties")) {
            if (in == null) {
                throw new IllegalStateException("api-version.properties missing from the api jar");
            }
            Properties p = new Properties();
            p.load(in);
            return p.getProperty("version").trim();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
