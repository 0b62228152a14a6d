package io.scarcity.runtime.config;

import io.scarcity.api.ConfigException;

/**
 * Where the coordinator keeps its global memory of insights.
 *
 * @param url {@code sqlite} (default: the file {@code coordinator.db} in the run folder), {@code memory}
 *        (in this process only, lost with it), or a JDBC URL ({@code jdbc:postgresql://host/db},
 *        {@code jdbc:sqlite:/path/file.db}) for a store that outlives runs
 * @param user database user (PostgreSQL)
 * @param password database password (PostgreSQL); prefer the environment variable
 *        {@code SCARCITY_COORDINATOR__STORE__PASSWORD} to writing it in a file
 */
public record StoreConfig(String url, String user, String password) {
    public StoreConfig {
        url = url == null || url.isBlank() ? "sqlite" : url.trim();
        if (!url.equals("sqlite") && !url.equals("memory") && !url.startsWith("jdbc:postgresql:") && !url.startsWith("jdbc:sqlite:")) {
            throw new ConfigException("url", "expected sqlite, memory, jdbc:postgresql://HOST/DB or jdbc:sqlite:FILE, got '" + url + "'");
        }
        user = user == null ? "" : user;
        password = password == null ? "" : password;
    }

    /** Never shows the password. */
    @Override
    public String toString() {
        return "StoreConfig[url=" + url + ", user=" + user + "]";
    }
}
