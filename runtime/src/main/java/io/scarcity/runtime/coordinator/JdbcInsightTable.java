package io.scarcity.runtime.coordinator;

import io.scarcity.api.Insight;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.locks.ReentrantLock;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;

/**
 * Insights in a database through JDBC: an SQLite file or PostgreSQL, one code path and the same SQL for
 * both ({@link Dialect} holds the few differences).
 *
 * <p><b>Schema.</b> Created and migrated by Flyway (community edition) from the versioned scripts under
 * {@code io/scarcity/runtime/coordinator/db/<dialect>/}; Flyway's core supports SQLite and its
 * {@code flyway-database-postgresql} module PostgreSQL, it records what ran in {@code flyway_schema_history},
 * validates checksums on every open, and takes an advisory lock on PostgreSQL so that coordinators starting
 * together migrate once. A hand-written version table would have to redo all of that.
 *
 * <p><b>Bound and counts.</b> A write transaction first upserts the counter row of each domain it touches
 * (in sorted order, so two transactions never wait on each other in a cycle), which locks that row until
 * commit; then it inserts the rows and deletes the domain's oldest beyond capacity, and records how many it
 * trimmed. Writers of one domain are thereby serialised, from any thread or process, and a domain never
 * holds more than its capacity once a transaction commits.
 *
 * <p><b>Durability.</b> {@link #insert} returns after the commit (see {@link Dialect} for SQLite's
 * {@code synchronous} setting).
 *
 * <p><b>Connections.</b> A small fixed pool: the coordinator writes from one thread, so the pool only has
 * to let a few concurrent writers and readers proceed, which does not justify a pooling library. SQLite
 * allows one writer per file, so writers in this JVM queue on a lock instead of polling SQLite's.
 */
final class JdbcInsightTable implements InsightTable {
    static final int DEFAULT_POOL_SIZE = 4;
    private static final String SALT = "client-pseudonym-salt";

    private static final String LOCK_AND_COUNT = "INSERT INTO domain_counts (domain, stored, accepted, trimmed) "
            + "VALUES (?, ?, ?, 0) ON CONFLICT (domain) DO UPDATE SET stored = domain_counts.stored + excluded.stored, "
            + "accepted = domain_counts.accepted + excluded.accepted RETURNING stored";
    private static final String INSERT = "INSERT INTO insights (domain, client, round, received_at, payload, run_id) "
            + "VALUES (?, ?, ?, ?, ?, ?)";
    private static final String TRIM = "DELETE FROM insights WHERE id IN "
            + "(SELECT id FROM insights WHERE domain = ? ORDER BY id LIMIT ?)";
    private static final String COUNT_TRIMMED = "UPDATE domain_counts SET stored = stored - ?, trimmed = trimmed + ? "
            + "WHERE domain = ?";

    private final CoordinatorDatabase database;
    private final Dialect dialect;
    private final int capacityPerDomain;
    private final ConnectionPool pool;
    private final ReentrantLock writeLock;
    private final byte[] salt;
    private volatile String runId;

    private JdbcInsightTable(CoordinatorDatabase database, int capacityPerDomain, int poolSize) {
        this.database = database;
        this.dialect = database.dialect();
        this.capacityPerDomain = capacityPerDomain;
        DataSource source = dialect.dataSource(database);
        migrate(source);
        this.pool = new ConnectionPool(source, poolSize, database.describe());
        this.writeLock = dialect.oneWriterPerFile() ? new ReentrantLock(true) : null;
        try {
            this.salt = loadOrCreateSalt();
            trimToCapacity();
        } catch (RuntimeException e) {
            pool.close();
            throw e;
        }
    }

    /** Opens (creating or migrating its schema) a database; the caller closes it. */
    static JdbcInsightTable open(CoordinatorDatabase database, int capacityPerDomain, int poolSize) {
        Objects.requireNonNull(database, "database is null");
        if (poolSize < 1) {
            throw new IllegalArgumentException("poolSize must be >= 1, got " + poolSize);
        }
        return new JdbcInsightTable(database, capacityPerDomain, poolSize);
    }

    private void migrate(DataSource source) {
        var configure = Flyway.configure(JdbcInsightTable.class.getClassLoader())
                .dataSource(source)
                .locations(dialect.migrations())
                .failOnMissingLocations(true);
        if (database.schema() != null) {
            configure = configure.schemas(database.schema()).createSchemas(true);
        }
        try {
            configure.load().migrate();
        } catch (FlywayException e) {
            throw new GlobalMemoryException("cannot open or migrate the coordinator's database "
                    + database.describe() + ": " + rootMessage(e), e);
        }
    }

    private byte[] loadOrCreateSalt() {
        byte[] fresh = ClientPseudonyms.newSalt();
        String hex = write(c -> {
            // DO NOTHING: a coordinator that opened the store first has already chosen the salt
            try (PreparedStatement s = c.prepareStatement(
                    "INSERT INTO coordinator_secret (name, value) VALUES (?, ?) ON CONFLICT (name) DO NOTHING")) {
                s.setString(1, SALT);
                s.setString(2, HexFormat.of().formatHex(fresh));
                s.executeUpdate();
            }
            try (PreparedStatement s = c.prepareStatement("SELECT value FROM coordinator_secret WHERE name = ?")) {
                s.setString(1, SALT);
                try (ResultSet rs = s.executeQuery()) {
                    rs.next();
                    return rs.getString(1);
                }
            }
        });
        byte[] stored = HexFormat.of().parseHex(hex);
        if (stored.length != ClientPseudonyms.SALT_BYTES) {
            throw new GlobalMemoryException("the coordinator's database " + database.describe()
                    + " holds a salt of " + stored.length + " bytes instead of " + ClientPseudonyms.SALT_BYTES, null);
        }
        return stored;
    }

    /** A store reopened with a smaller capacity is trimmed at once, so that sizes never exceed it. */
    private void trimToCapacity() {
        List<String> over = read(c -> {
            List<String> out = new ArrayList<>();
            try (PreparedStatement s = c.prepareStatement("SELECT domain FROM domain_counts WHERE stored > ?")) {
                s.setLong(1, capacityPerDomain);
                try (ResultSet rs = s.executeQuery()) {
                    while (rs.next()) {
                        out.add(rs.getString(1));
                    }
                }
            }
            return out;
        });
        for (String domain : new TreeSet<>(over)) {
            write(c -> {
                long stored = lockAndCount(c, domain, 0);
                trim(c, domain, stored);
                return null;
            });
        }
    }

    @Override
    public void useRun(String runId) {
        this.runId = runId;
    }

    @Override
    public byte[] salt() {
        return salt.clone();
    }

    @Override
    public void insert(List<Insight> insights) {
        if (insights.isEmpty()) {
            return;
        }
        // encode before taking any lock
        List<String> payloads = new ArrayList<>(insights.size());
        Map<String, Integer> perDomain = new TreeMap<>();
        for (Insight i : insights) {
            payloads.add(InsightCodec.encodeText(i));
            perDomain.merge(i.domain(), 1, Integer::sum);
        }
        long now = System.currentTimeMillis();
        write(c -> {
            Map<String, Long> stored = new LinkedHashMap<>();
            for (Map.Entry<String, Integer> e : perDomain.entrySet()) {
                stored.put(e.getKey(), lockAndCount(c, e.getKey(), e.getValue()));
            }
            try (PreparedStatement s = c.prepareStatement(INSERT)) {
                for (int k = 0; k < insights.size(); k++) {
                    Insight i = insights.get(k);
                    s.setString(1, i.domain());
                    s.setString(2, i.client());
                    s.setInt(3, i.round());
                    s.setLong(4, now);
                    s.setString(5, payloads.get(k));
                    s.setString(6, runId);
                    if (insights.size() == 1) {
                        s.executeUpdate();
                    } else {
                        s.addBatch();
                    }
                }
                if (insights.size() > 1) {
                    s.executeBatch();
                }
            }
            for (Map.Entry<String, Long> e : stored.entrySet()) {
                trim(c, e.getKey(), e.getValue());
            }
            return null;
        });
    }

    /** Adds to a domain's counts, locking its row until commit; returns the stored count after the add. */
    private static long lockAndCount(Connection c, String domain, long added) throws SQLException {
        try (PreparedStatement s = c.prepareStatement(LOCK_AND_COUNT)) {
            s.setString(1, domain);
            s.setLong(2, added);
            s.setLong(3, added);
            try (ResultSet rs = s.executeQuery()) {
                if (!rs.next()) {
                    throw new SQLException("upsert of domain_counts returned no row");
                }
                return rs.getLong(1);
            }
        }
    }

    private void trim(Connection c, String domain, long stored) throws SQLException {
        long excess = stored - capacityPerDomain;
        if (excess <= 0) {
            return;
        }
        int deleted;
        try (PreparedStatement s = c.prepareStatement(TRIM)) {
            s.setString(1, domain);
            s.setLong(2, excess);
            deleted = s.executeUpdate();
        }
        if (deleted != excess) {
            throw new SQLException("domain " + domain + " counts " + stored + " insights but only " + deleted
                    + " of the " + excess + " oldest could be trimmed; the counts no longer match the rows");
        }
        try (PreparedStatement s = c.prepareStatement(COUNT_TRIMMED)) {
            s.setLong(1, deleted);
            s.setLong(2, deleted);
            s.setString(3, domain);
            s.executeUpdate();
        }
    }

    @Override
    public Set<String> domains() {
        return read(c -> {
            Set<String> out = new TreeSet<>();
            try (PreparedStatement s = c.prepareStatement("SELECT domain FROM domain_counts WHERE stored > 0");
                 ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    out.add(rs.getString(1));
                }
            }
            return out;
        });
    }

    @Override
    public List<Insight> recent(String domain, int max) {
        return recent(domain, max, Integer.MAX_VALUE);
    }

    @Override
    public int size(String domain, int throughRound) {
        Objects.requireNonNull(domain, "domain is null");
        return read(c -> {
            try (PreparedStatement s = c.prepareStatement("SELECT COUNT(*) FROM insights WHERE domain = ? AND round <= ?")) {
                s.setString(1, domain);
                s.setInt(2, throughRound);
                try (ResultSet rs = s.executeQuery()) {
                    rs.next();
                    return (int) rs.getLong(1);
                }
            }
        });
    }

    @Override
    public int lastRound(String domain) {
        Objects.requireNonNull(domain, "domain is null");
        return read(c -> {
            String run = runId;
            try (PreparedStatement s = c.prepareStatement("SELECT COALESCE(MAX(round), 0) FROM insights WHERE domain = ? AND "
                    + (run == null ? "run_id IS NULL" : "run_id = ?"))) {
                s.setString(1, domain);
                if (run != null) {
                    s.setString(2, run);
                }
                try (ResultSet rs = s.executeQuery()) {
                    rs.next();
                    return (int) rs.getLong(1);
                }
            }
        });
    }

    @Override
    public List<Insight> recent(String domain, int max, int throughRound) {
        Objects.requireNonNull(domain, "domain is null");
        if (max <= 0) {
            return List.of();
        }
        List<String> payloads = read(c -> {
            List<String> out = new ArrayList<>();
            try (PreparedStatement s = c.prepareStatement(
                    "SELECT payload FROM insights WHERE domain = ? AND round <= ? ORDER BY id DESC LIMIT ?")) {
                s.setString(1, domain);
                s.setInt(2, throughRound);
                s.setInt(3, max);
                try (ResultSet rs = s.executeQuery()) {
                    while (rs.next()) {
                        out.add(rs.getString(1));
                    }
                }
            }
            return out;
        });
        Collections.reverse(payloads);
        List<Insight> out = new ArrayList<>(payloads.size());
        for (String p : payloads) {
            out.add(InsightCodec.decode(p));
        }
        return out;
    }

    @Override
    public int size(String domain) {
        Objects.requireNonNull(domain, "domain is null");
        return read(c -> {
            try (PreparedStatement s = c.prepareStatement("SELECT stored FROM domain_counts WHERE domain = ?")) {
                s.setString(1, domain);
                try (ResultSet rs = s.executeQuery()) {
                    return rs.next() ? (int) rs.getLong(1) : 0;
                }
            }
        });
    }

    @Override
    public long accepted() {
        return read(c -> {
            try (PreparedStatement s = c.prepareStatement("SELECT COALESCE(SUM(accepted), 0) FROM domain_counts");
                 ResultSet rs = s.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        });
    }

    @Override
    public Map<String, Long> trimmed() {
        return read(c -> {
            Map<String, Long> out = new TreeMap<>();
            try (PreparedStatement s = c.prepareStatement("SELECT domain, trimmed FROM domain_counts WHERE trimmed > 0");
                 ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    out.put(rs.getString(1), rs.getLong(2));
                }
            }
            return out;
        });
    }

    @Override
    public void close() {
        pool.close();
    }

    @Override
    public String toString() {
        return database.describe();
    }

    private interface Work<T> {
        T apply(Connection connection) throws SQLException;
    }

    /** Runs statements in auto-commit mode (each one its own snapshot). */
    private <T> T read(Work<T> work) {
        Connection c = pool.borrow();
        boolean broken = false;
        try {
            return work.apply(c);
        } catch (SQLException e) {
            broken = isBroken(c);
            throw failure("read from", e);
        } finally {
            pool.giveBack(c, broken);
        }
    }

    /** Runs statements in one write transaction, committed before returning. */
    private <T> T write(Work<T> work) {
        if (writeLock != null) {
            writeLock.lock();
        }
        Connection c = null;
        boolean broken = false;
        try {
            c = pool.borrow();
            dialect.begin(c);
            T result;
            try {
                result = work.apply(c);
                dialect.commit(c);
            } catch (SQLException | RuntimeException e) {
                try {
                    dialect.rollback(c);
                } catch (SQLException r) {
                    broken = true;
                    e.addSuppressed(r);
                }
                throw e;
            }
            return result;
        } catch (SQLException e) {
            broken |= c != null && isBroken(c);
            throw failure("write to", e);
        } finally {
            if (c != null) {
                pool.giveBack(c, broken);
            }
            if (writeLock != null) {
                writeLock.unlock();
            }
        }
    }

    private static boolean isBroken(Connection c) {
        try {
            return !c.isValid(2);
        } catch (SQLException e) {
            return true;
        }
    }

    private GlobalMemoryException failure(String verb, SQLException e) {
        return new GlobalMemoryException("cannot " + verb + " the coordinator's database " + database.describe()
                + ": " + e.getMessage(), e);
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t == e ? String.valueOf(e.getMessage()) : e.getMessage() + " (" + t.getMessage() + ")";
    }
}
