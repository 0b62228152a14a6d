package io.scarcity.runtime.coordinator;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;
import java.util.UUID;

/**
 * The databases the JDBC tests run on: SQLite always, PostgreSQL when {@code SCARCITY_TEST_PG_URL} (and
 * {@code SCARCITY_TEST_PG_USER}, {@code SCARCITY_TEST_PG_PASSWORD}) are set, as {@code .ci/run} does;
 * otherwise the PostgreSQL cases skip, saying why. Each test gets a fresh SQLite file or a fresh
 * PostgreSQL schema, dropped afterwards.
 */
enum StoreBackend {
    SQLITE,
    POSTGRESQL;

    static final String PG_URL = "SCARCITY_TEST_PG_URL";
    static final String PG_USER = "SCARCITY_TEST_PG_USER";
    static final String PG_PASSWORD = "SCARCITY_TEST_PG_PASSWORD";

    /** A new, empty database of this kind; skips the calling test if PostgreSQL is not configured. */
    CoordinatorDatabase fresh(Path dir) {
        if (this == SQLITE) {
            return CoordinatorDatabase.sqlite(dir.resolve("coordinator.db"));
        }
        String url = System.getenv(PG_URL);
        assumeTrue(url != null && !url.isBlank(), PG_URL + " is not set: no PostgreSQL server to test against "
                + "(.ci/run starts one and sets it)");
        String schema = "t_" + UUID.randomUUID().toString().replace("-", "").substring(0, 20).toLowerCase(Locale.ROOT);
        return new CoordinatorDatabase(url, System.getenv(PG_USER), System.getenv(PG_PASSWORD), schema);
    }

    /** Drops what {@link #fresh} made on a server; the SQLite file goes with its temporary folder. */
    static void drop(CoordinatorDatabase database) throws SQLException {
        if (database == null || database.schema() == null) {
            return;
        }
        try (Connection c = DriverManager.getConnection(database.url(), database.user(), database.password());
             Statement s = c.createStatement()) {
            s.execute("DROP SCHEMA IF EXISTS " + database.schema() + " CASCADE");
        }
    }
}
