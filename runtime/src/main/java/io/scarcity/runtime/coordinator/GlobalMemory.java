package io.scarcity.runtime.coordinator;

import io.scarcity.api.Insight;
import io.scarcity.api.InsightStore;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The coordinator's memory of insights: bounded per domain (the oldest are trimmed and counted), safe
 * under concurrent writers, with client ids replaced by salted-hash pseudonyms before anything is stored.
 *
 * <p>Kept in a database ({@link #open}: an SQLite file, or PostgreSQL) where every insight whose
 * {@code add} returned survives a crash and a reopened store resumes its contents, counts and pseudonyms;
 * or in memory ({@link #GlobalMemory(int)}), lost with the process. Either way the meta-learners read it
 * through the {@link InsightStore} view and see pseudonyms only. Pseudonyms depend on a random salt, so a
 * meta-learner must not let their order decide anything.
 *
 * <p>Thread-safe. Close it when the run ends.
 */
public final class GlobalMemory implements InsightStore, AutoCloseable, io.scarcity.api.Checkpointable {
    private final InsightTable table;
    private ClientPseudonyms pseudonyms;
    private final int capacityPerDomain;

    /** An in-memory store. */
    public GlobalMemory(int capacityPerDomain) {
        this(new InMemoryInsightTable(checkCapacity(capacityPerDomain)), capacityPerDomain);
    }

    private GlobalMemory(InsightTable table, int capacityPerDomain) {
        this.table = table;
        this.capacityPerDomain = capacityPerDomain;
        this.pseudonyms = new ClientPseudonyms(table.salt());
    }

    /** An in-memory store, lost with the process. */
    public static GlobalMemory inMemory(int capacityPerDomain) {
        return new GlobalMemory(capacityPerDomain);
    }

    /**
     * Opens the store in a database, creating or migrating its schema; an existing store resumes.
     *
     * @throws GlobalMemoryException if the database cannot be reached, opened or migrated
     */
    public static GlobalMemory open(CoordinatorDatabase database, int capacityPerDomain) {
        checkCapacity(capacityPerDomain);
        return new GlobalMemory(JdbcInsightTable.open(database, capacityPerDomain, JdbcInsightTable.DEFAULT_POOL_SIZE),
                capacityPerDomain);
    }

    private static int checkCapacity(int capacityPerDomain) {
        if (capacityPerDomain < 1) {
            throw new IllegalArgumentException("capacityPerDomain must be >= 1, got " + capacityPerDomain);
        }
        return capacityPerDomain;
    }

    /**
     * Stores an insight under its client's pseudonym, trimming its domain's oldest if full; once this
     * returns, the insight is committed.
     *
     * @return the insight as stored (the client id replaced by its pseudonym)
     */
    public Insight add(Insight insight) {
        return addAll(List.of(Objects.requireNonNull(insight, "insight is null"))).get(0);
    }

    /**
     * Stores insights in order, all or none (one transaction: a round's insights cost one commit).
     *
     * @return the insights as stored, in the same order
     */
    public List<Insight> addAll(List<Insight> insights) {
        Objects.requireNonNull(insights, "insights is null");
        List<Insight> stored = new ArrayList<>(insights.size());
        for (Insight i : insights) {
            stored.add(anonymised(Objects.requireNonNull(i, "insight is null")));
        }
        table.insert(stored);
        return List.copyOf(stored);
    }

    /** The insights as they would be stored (client ids replaced by pseudonyms), without storing them. */
    public List<Insight> pseudonymised(List<Insight> insights) {
        List<Insight> out = new ArrayList<>(insights.size());
        for (Insight i : insights) {
            out.add(anonymised(Objects.requireNonNull(i, "insight is null")));
        }
        return out;
    }

    /** The pseudonym under which a client's insights are stored: hex(SHA-256(salt || id)). */
    public String pseudonym(String clientId) {
        return pseudonyms.of(clientId);
    }

    private Insight anonymised(Insight i) {
        return new Insight(pseudonyms.of(i.client()), i.domain(), i.round(), i.samples(), i.accuracy(), i.loss(),
                i.experts(), i.signals(), i.moments());
    }

    @Override
    public Set<String> domains() {
        return table.domains();
    }

    @Override
    public List<Insight> recent(String domain, int max) {
        return table.recent(domain, max);
    }

    @Override
    public int size(String domain) {
        return table.size(domain);
    }

    /** Tags insights stored from now on with this run's id (see {@link InsightTable#useRun}). */
    public void useRun(String runId) {
        table.useRun(Objects.requireNonNull(runId, "runId is null"));
    }

    /** The highest round of an insight of the domain stored by this run (see {@link #useRun}); 0 if none. */
    public int lastRound(String domain) {
        return table.lastRound(Objects.requireNonNull(domain, "domain is null"));
    }

    /**
     * A read-only view of the store as of the end of {@code round}: insights of later rounds are hidden.
     * Used while a resumed run replays rounds whose insights the store already holds.
     */
    public InsightStore asOf(int round) {
        return new InsightStore() {
            @Override
            public Set<String> domains() {
                Set<String> out = new java.util.TreeSet<>();
                for (String d : table.domains()) {
                    if (table.size(d, round) > 0) {
                        out.add(d);
                    }
                }
                return out;
            }

            @Override
            public List<Insight> recent(String domain, int max) {
                return table.recent(domain, max, round);
            }

            @Override
            public int size(String domain) {
                return table.size(domain, round);
            }
        };
    }

    /**
     * An in-memory store saves its salt and contents (they exist nowhere else); a database store saves
     * only a fingerprint of its salt, so that resuming against another database is refused.
     */
    @Override
    public void saveState(io.scarcity.api.StateWriter out) throws java.io.IOException {
        boolean inMemory = table instanceof InMemoryInsightTable;
        out.writeBoolean(inMemory);
        if (inMemory) {
            ((InMemoryInsightTable) table).saveState(out);
        } else {
            out.writeString(fingerprint(table.salt()));
        }
    }

    @Override
    public void restoreState(io.scarcity.api.StateReader in) throws java.io.IOException {
        boolean inMemory = in.readBoolean();
        if (inMemory != table instanceof InMemoryInsightTable) {
            throw new java.io.IOException("the checkpoint was taken with the coordinator's store "
                    + (inMemory ? "in memory" : "in a database") + ", but coordinator.store.url now selects "
                    + (inMemory ? "a database" : "memory") + "; resume with the run's own config");
        }
        if (inMemory) {
            ((InMemoryInsightTable) table).restoreState(in);
            pseudonyms = new ClientPseudonyms(table.salt());
        } else if (!fingerprint(table.salt()).equals(in.readString())) {
            throw new io.scarcity.runtime.UserException("the coordinator's store " + location() + " is not the one this run "
                    + "used (it was created by another run: its pseudonym salt differs); restore the run's own database, or point "
                    + "coordinator.store.url at it");
        }
    }

    private static String fingerprint(byte[] salt) {
        try {
            return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(salt));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }

    /** Insights accepted by this store since it was created (across reopens). */
    public long accepted() {
        return table.accepted();
    }

    /** Insights trimmed per domain because the domain was full, since the store was created. */
    public Map<String, Long> trimmed() {
        return table.trimmed();
    }

    public int capacityPerDomain() {
        return capacityPerDomain;
    }

    /** Where the insights are: {@code memory}, or the database URL without password. */
    public String location() {
        return table.toString();
    }

    @Override
    public void close() {
        table.close();
    }

    @Override
    public String toString() {
        return "GlobalMemory[" + location() + ", " + capacityPerDomain + " per domain]";
    }
}
