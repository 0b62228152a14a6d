package io.scarcity.runtime.coordinator;

import java.nio.file.Path;
import java.util.Objects;

/**
 * Where the global memory lives: a JDBC URL ({@code jdbc:sqlite:FILE} or {@code jdbc:postgresql://...}),
 * the user and password (PostgreSQL; null for SQLite or to take them from the URL), and for PostgreSQL an
 * optional schema (created if missing) so that several runs or test suites can share one database without
 * seeing each other's insights. {@link #toString()} never shows the password.
 */
public record CoordinatorDatabase(String url, String user, String password, String schema) {
    public CoordinatorDatabase {
        Objects.requireNonNull(url, "url is null");
        Dialect dialect = Dialect.of(url);
        if (dialect == Dialect.SQLITE && schema != null) {
            throw new IllegalArgumentException("a schema is for PostgreSQL only; an SQLite file is its own schema");
        }
        if (schema != null && !schema.matches("[a-z_][a-z0-9_]{0,62}")) {
            throw new IllegalArgumentException("schema must be lower-case letters, digits and underscores, "
                    + "starting with a letter or underscore, at most 63 characters; got '" + schema + "'");
        }
    }

    /** An SQLite file, created with its schema if missing; its folder must exist. */
    public static CoordinatorDatabase sqlite(Path file) {
        Objects.requireNonNull(file, "file is null");
        return new CoordinatorDatabase("jdbc:sqlite:" + file.toAbsolutePath(), null, null, null);
    }

    /** A PostgreSQL database, in its default schema ({@code public} unless the URL says otherwise). */
    public static CoordinatorDatabase postgresql(String url, String user, String password) {
        return new CoordinatorDatabase(url, user, password, null);
    }

    /** The same database, in another PostgreSQL schema. */
    public CoordinatorDatabase inSchema(String schema) {
        return new CoordinatorDatabase(url, user, password, Objects.requireNonNull(schema, "schema is null"));
    }

    Dialect dialect() {
        return Dialect.of(url);
    }

    /** The URL without any password parameter, the user and the schema: what logs and errors show. */
    String describe() {
        String shown = url.replaceAll("(?i)([?&;]password=)[^&;]*", "$1***");
        return shown + (user == null ? "" : " as " + user) + (schema == null ? "" : " schema " + schema);
    }

    @Override
    public String toString() {
        return "CoordinatorDatabase[" + describe() + "]";
    }
}
