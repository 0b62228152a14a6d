package io.scarcity.runtime.coordinator;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import javax.sql.DataSource;
import org.postgresql.ds.PGSimpleDataSource;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteDataSource;

/**
 * What differs between the two databases the global memory runs on. The SQL of reads and writes is the
 * same for both (upserts with {@code ON CONFLICT ... DO UPDATE ... RETURNING}, {@code LIMIT} in a
 * subquery); the differences are the migration scripts (column types), how a connection is made and how
 * a write transaction starts.
 */
enum Dialect {
    /**
     * An embedded file. WAL journal, so readers never wait for the writer; {@code synchronous=FULL}, so
     * a commit is on disk (the WAL is fsynced) before {@code add} returns: NORMAL would survive a crash of
     * the process but can lose the last commits on a power cut or kernel crash, and an insight the
     * coordinator reported accepted must not be lost. The price is one fsync per commit, which is why the
     * coordinator stores a round's insights in one transaction. A busy timeout makes a writer from another
     * process wait for the lock instead of failing.
     */
    SQLITE("jdbc:sqlite:", "classpath:io/scarcity/runtime/coordinator/db/sqlite") {
        @Override
        DataSource dataSource(CoordinatorDatabase database) {
            SQLiteConfig config = new SQLiteConfig();
            config.setJournalMode(SQLiteConfig.JournalMode.WAL);
            config.setSynchronous(SQLiteConfig.SynchronousMode.FULL);
            config.setBusyTimeout(BUSY_TIMEOUT_MILLIS);
            SQLiteDataSource source = new SQLiteDataSource(config);
            source.setUrl(database.url());
            return source;
        }

        /**
         * {@code BEGIN IMMEDIATE} takes the write lock up front: a deferred transaction that reads and then
         * writes can fail at once with SQLITE_BUSY when another connection wrote in between, without waiting
         * for the busy timeout. Issued as SQL with the JDBC connection left in auto-commit mode, because the
         * driver's own {@code setAutoCommit(false)} begins a transaction eagerly and would keep an idle
         * pooled connection holding a lock.
         */
        @Override
        void begin(Connection connection) throws SQLException {
            execute(connection, "BEGIN IMMEDIATE");
        }

        @Override
        void commit(Connection connection) throws SQLException {
            execute(connection, "COMMIT");
        }

        /** After some errors SQLite has rolled back already; this ROLLBACK then fails and the caller drops the connection. */
        @Override
        void rollback(Connection connection) throws SQLException {
            execute(connection, "ROLLBACK");
        }

        @Override
        boolean oneWriterPerFile() {
            return true;
        }
    },

    /**
     * A server, for several coordinator processes or a shared, backed-up store. Commits are durable with
     * the server's default {@code synchronous_commit=on}; writers of one domain are serialised by the row
     * lock on the domain's counters, so any number of threads and processes may write.
     */
    POSTGRESQL("jdbc:postgresql:", "classpath:io/scarcity/runtime/coordinator/db/postgresql") {
        @Override
        DataSource dataSource(CoordinatorDatabase database) {
            PGSimpleDataSource source = new PGSimpleDataSource();
            source.setURL(database.url());
            if (database.user() != null) {
                source.setUser(database.user());
            }
            if (database.password() != null) {
                source.setPassword(database.password());
            }
            if (database.schema() != null) {
                source.setCurrentSchema(database.schema());
            }
            source.setApplicationName("scarcity-coordinator");
            source.setConnectTimeout(CONNECT_TIMEOUT_SECONDS);
            return source;
        }

        @Override
        void begin(Connection connection) throws SQLException {
            connection.setAutoCommit(false);
        }

        @Override
        void commit(Connection connection) throws SQLException {
            connection.commit();
            connection.setAutoCommit(true);
        }

        @Override
        void rollback(Connection connection) throws SQLException {
            if (!connection.getAutoCommit()) {
                connection.rollback();
                connection.setAutoCommit(true);
            }
        }

        @Override
        boolean oneWriterPerFile() {
            return false;
        }
    };

    static final int BUSY_TIMEOUT_MILLIS = 30_000;
    static final int CONNECT_TIMEOUT_SECONDS = 10;

    private final String urlPrefix;
    private final String migrations;

    Dialect(String urlPrefix, String migrations) {
        this.urlPrefix = urlPrefix;
        this.migrations = migrations;
    }

    static Dialect of(String url) {
        for (Dialect d : values()) {
            if (url.startsWith(d.urlPrefix)) {
                return d;
            }
        }
        throw new IllegalArgumentException("the coordinator's database URL must start with jdbc:sqlite: (a file) "
                + "or jdbc:postgresql: (a server); got '" + url.replaceAll("(?i)(password=)[^&;]*", "$1***") + "'");
    }

    /** Flyway location of this dialect's versioned migration scripts. */
    String migrations() {
        return migrations;
    }

    abstract DataSource dataSource(CoordinatorDatabase database);

    abstract void begin(Connection connection) throws SQLException;

    abstract void commit(Connection connection) throws SQLException;

    abstract void rollback(Connection connection) throws SQLException;

    /** Whether writers in this JVM should queue on a lock rather than poll the database's own lock. */
    abstract boolean oneWriterPerFile();

    private static void execute(Connection connection, String sql) throws SQLException {
        try (Statement s = connection.createStatement()) {
            s.execute(sql);
        }
    }
}
