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
 * @param schema PostgreSQL schema for this federation's tables (default: the user's), so that several
 *        federations can share one database without seeing each other's insights
 */
public record StoreConfig(String url, String user, String password, String schema) {
    public StoreConfig {
        url = url == null || url.isBlank() ? "sqlite" : url.trim();
        if (!url.equals("sqlite") && !url.equals("memory") && !url.startsWith("jdbc:postgresql:") && !url.startsWith("jdbc:sqlite:")) {
            throw new ConfigException("url", "expected sqlite, memory, jdbc:postgresql://HOST/DB or jdbc:sqlite:FILE, got '" + url + "'");
        }
        user = user == null ? "" : user;
        password = password == null ? "" : password;
        schema = schema == null ? "" : schema.trim();
        if (!schema.isEmpty() && !schema.matches("[a-z_][a-z0-9_]*")) {
            throw new ConfigException("schema", "expected a lower-case SQL name (letters, digits, _), got '" + schema + "'");
        }
    }

    /** Never shows the password. */
    @Override
    public String toString() {
        return "StoreConfig[url=" + url + ", user=" + user + ", schema=" + schema + "]";
    }
}
