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
public final class GlobalMemory implements InsightStore, AutoCloseable {
    private final InsightTable table;
    private final ClientPseudonyms pseudonyms;
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
