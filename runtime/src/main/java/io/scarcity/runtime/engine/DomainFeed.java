package io.scarcity.runtime.engine;

import io.scarcity.api.Batch;
import io.scarcity.api.DataSchema;
import io.scarcity.api.Task;
import io.scarcity.runtime.data.Partitioner;
import io.scarcity.runtime.data.Row;
import io.scarcity.runtime.data.RowSource;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One domain's stream split among its clients. Two ways:
 * <ul>
 *   <li>shared stream (IID, Dirichlet, quantity skew): each round draws
 *       {@code clients x batchesPerRound x batchSize} rows from the source and routes each to a client
 *       with the partitioner, so under skew clients get unequal shares, as in the field;</li>
 *   <li>per-client quota (natural partitioning, one client per id): each round every client gets up to
 *       {@code batchesPerRound x batchSize} of its own rows, in their order in the source, so that a file
 *       sorted by id still gives every client its stream from the first round on.</li>
 * </ul>
 * Each client's rows are cut into batches (the last one possibly short).
 */
final class DomainFeed implements AutoCloseable {
    private final String domain;
    private final RowSource source;
    private final Partitioner partitioner;
    private final int clients;
    private final int batchSize;
    private final int batchesPerRound;
    private final int rowsPerRound;
    private final boolean perClientQuota;
    private final long[] clientRows;
    private final List<ArrayDeque<Row>> pending = new ArrayList<>();
    /** Per client not hosted here: rows assigned to it and not handed out yet (counted, not kept). */
    private final long[] pendingElsewhere;
    /** Which clients (domain index) this process hosts: only their rows are kept and cut into batches. */
    private java.util.function.IntPredicate hosted = c -> true;
    /** Rows handed out to clients (hosted here or not) by the last {@link #nextRound}. */
    private long lastRoundRows;
    private long consumed;
    /** A running hash of every row read (features, label, target), to tell a re-read stream from a changed one. */
    private long digest = 1125899906842597L;
    private boolean exhausted;

    /**
     * The feed of the config's domain {@code index}: its stream and partitioner built from the config
     * (relative paths against {@code baseDir}), every key of both checked.
     *
     * @throws io.scarcity.api.ConfigException on a bad stream or partition block
     */
    static DomainFeed open(io.scarcity.runtime.config.RunConfig config, int index, java.nio.file.Path baseDir) {
        return open(config, index, baseDir, config.domains().get(index).name());
    }

    /**
     * {@link #open(io.scarcity.runtime.config.RunConfig, int, java.nio.file.Path)} with the stream's random numbers
     * seeded from {@code seedName} (the domain's name, or a real client's id: each real client's generator differs).
     */
    static DomainFeed open(io.scarcity.runtime.config.RunConfig config, int index, java.nio.file.Path baseDir, String seedName) {
        io.scarcity.runtime.config.DomainConfig d = config.domains().get(index);
        if (d.remote()) {
            throw new io.scarcity.api.ConfigException("domains[" + index + "].stream.type", "remote: the clients of domain '"
                    + d.name() + "' are real clients that bring their own streams, so this config runs only as a networked "
                    + "federation: scarcity coordinator CONFIG --listen HOST:PORT, then one 'scarcity client --coordinator "
                    + "HOST:PORT --id NAME --domain " + d.name() + " --stream STREAM.yaml' per client (docs/deployment.md, "
                    + "Real clients)");
        }
        io.scarcity.api.PluginConfig streamConfig = io.scarcity.api.PluginConfig.of("domains[" + index + "].stream", d.stream());
        RowSource source = openStream(streamConfig, Seeds.derive(config.seed(), "stream/" + seedName), baseDir);
        try {
            io.scarcity.api.PluginConfig partitionConfig = io.scarcity.api.PluginConfig.of("domains[" + index + "].partition",
                    d.partition());
            Partitioner partitioner = io.scarcity.runtime.data.PartitionerFactory.create(partitionConfig, d.clients(), source,
                    Seeds.derive(config.seed(), "partition/" + d.name()));
            rejectUnread(partitionConfig, "partitioner");
            boolean natural = "natural".equals(d.partition().get("type"));
            return new DomainFeed(d.name(), source, partitioner, d.clients(), config.batchSize(),
                    d.batchesPerRound(config.batchesPerRound()), natural);
        } catch (RuntimeException e) {
            source.close();
            throw e;
        }
    }

    /** A stream section's source, every key checked (relative paths against {@code baseDir}). */
    static RowSource openStream(io.scarcity.api.PluginConfig streamConfig, long seed, java.nio.file.Path baseDir) {
        RowSource source = io.scarcity.runtime.data.StreamFactory.create(streamConfig, seed, baseDir);
        try {
            rejectUnread(streamConfig, "stream type");
        } catch (RuntimeException e) {
            source.close();
            throw e;
        }
        return source;
    }

    private static void rejectUnread(io.scarcity.api.PluginConfig pc, String what) {
        if (!pc.unreadKeys().isEmpty()) {
            String first = pc.unreadKeys().iterator().next();
            throw new io.scarcity.api.ConfigException(first, "unknown key for this " + what + "; keys it reads here: "
                    + String.join(", ", pc.askedKeysAround(first)));
        }
    }

    DomainFeed(String domain, RowSource source, Partitioner partitioner, int clients, int batchSize, int batchesPerRound,
               boolean perClientQuota) {
        this.domain = Objects.requireNonNull(domain, "domain is null");
        this.source = Objects.requireNonNull(source, "source is null");
        this.partitioner = Objects.requireNonNull(partitioner, "partitioner is null");
        this.clients = clients;
        this.batchSize = batchSize;
        this.batchesPerRound = batchesPerRound;
        this.rowsPerRound = Math.multiplyExact(Math.multiplyExact(clients, batchesPerRound), batchSize);
        this.perClientQuota = perClientQuota;
        this.clientRows = new long[clients];
        this.pendingElsewhere = new long[clients];
        for (int c = 0; c < clients; c++) {
            pending.add(new ArrayDeque<>());
        }
    }

    DataSchema schema() {
        return source.schema();
    }

    RowSource source() {
        return source;
    }

    String domain() {
        return domain;
    }

    boolean exhausted() {
        return exhausted;
    }

    int rowsPerRound() {
        return rowsPerRound;
    }

    /** A hash of every row read so far. */
    long digest() {
        return digest;
    }

    /** Rows read from the source so far (its stream position). */
    long consumed() {
        return consumed;
    }

    /**
     * From now on only the clients {@code hosted} accepts (domain indices) get batches; the rows of the others
     * are read and assigned as before (so every stream and partitioner stays where it would be in one JVM)
     * but only counted: a host holding a slice of a large simulation keeps and cuts only its clients' rows.
     */
    void hostOnly(java.util.function.IntPredicate hosted) {
        this.hosted = Objects.requireNonNull(hosted, "hosted is null");
    }

    /** Rows handed out to clients, hosted here or not, by the last {@link #nextRound} (0: nobody got any). */
    long lastRoundRows() {
        return lastRoundRows;
    }

    /**
     * Batches per client index for the next round; empty lists once the source is exhausted, and for the
     * clients not hosted here ({@link #hostOnly}).
     */
    List<List<Batch>> nextRound() {
        List<List<Row>> perClient = new ArrayList<>(clients);
        long[] elsewhere = new long[clients];
        if (perClientQuota) {
            int quota = batchesPerRound * batchSize;
            while (!exhausted && !allHave(quota)) {
                read().ifPresent(r -> {
                    int c = partitioner.assign(r);
                    if (hosted.test(c)) {
                        pending.get(c).add(r);
                    } else {
                        pendingElsewhere[c]++;
                    }
                });
            }
            for (int c = 0; c < clients; c++) {
                List<Row> rows = new ArrayList<>(hosted.test(c) ? quota : 0);
                ArrayDeque<Row> q = pending.get(c);
                while (rows.size() < quota && !q.isEmpty()) {
                    rows.add(q.poll());
                }
                perClient.add(rows);
                elsewhere[c] = Math.min(quota, pendingElsewhere[c]);
                pendingElsewhere[c] -= elsewhere[c];
            }
        } else {
            for (int c = 0; c < clients; c++) {
                perClient.add(new ArrayList<>());
            }
            for (int i = 0; i < rowsPerRound && !exhausted; i++) {
                Optional<Row> row = read();
                row.ifPresent(r -> {
                    int c = partitioner.assign(r);
                    if (hosted.test(c)) {
                        perClient.get(c).add(r);
                    } else {
                        elsewhere[c]++;
                    }
                });
            }
        }
        List<List<Batch>> out = new ArrayList<>(clients);
        lastRoundRows = 0;
        for (int c = 0; c < clients; c++) {
            lastRoundRows += perClient.get(c).size() + elsewhere[c];
            clientRows[c] += elsewhere[c];
            out.add(batches(c, perClient.get(c)));
        }
        return out;
    }

    private Optional<Row> read() {
        Optional<Row> row = source.next();
        if (row.isEmpty()) {
            exhausted = true;
        } else {
            consumed++;
            Row r = row.get();
            for (double x : r.features()) {
                digest = 31 * digest + Double.doubleToLongBits(x);
            }
            digest = 31 * digest + r.label();
            digest = 31 * digest + Double.doubleToLongBits(r.target());
        }
        return row;
    }

    private boolean allHave(int quota) {
        for (int c = 0; c < clients; c++) {
            if (pending.get(c).size() + pendingElsewhere[c] < quota) {
                return false;
            }
        }
        return true;
    }

    private List<Batch> batches(int client, List<Row> rows) {
        DataSchema schema = source.schema();
        int d = schema.numFeatures();
        boolean classification = schema.task() == Task.CLASSIFICATION;
        List<Batch> batches = new ArrayList<>();
        for (int from = 0; from < rows.size(); from += batchSize) {
            int to = Math.min(rows.size(), from + batchSize);
            batches.add(toBatch(schema, domain, rows.subList(from, to), clientRows[client], classification, d));
            clientRows[client] += to - from;
        }
        return batches;
    }

    /** Rows as one batch (features copied row-major). */
    static Batch toBatch(DataSchema schema, String domain, List<Row> rows, long firstRow, boolean classification, int d) {
        int n = rows.size();
        double[] x = new double[n * d];
        for (int r = 0; r < n; r++) {
            System.arraycopy(rows.get(r).features(), 0, x, r * d, d);
        }
        if (!schema.labelled()) {
            return Batch.ofTargets(schema, domain, firstRow, x, null);
        }
        // a row without a label (a CSV with missingLabels: unlabelled) has label -1 or a NaN target
        boolean[] missing = new boolean[n];
        if (classification) {
            int[] y = new int[n];
            for (int r = 0; r < n; r++) {
                y[r] = rows.get(r).label();
                if (y[r] == -1) {
                    missing[r] = true;
                    y[r] = 0;
                }
            }
            return Batch.ofClasses(schema, domain, firstRow, x, y).withMissingLabels(missing);
        }
        double[] t = new double[n];
        for (int r = 0; r < n; r++) {
            t[r] = rows.get(r).target();
            if (Double.isNaN(t[r])) {
                missing[r] = true;
                t[r] = 0;
            }
        }
        return Batch.ofTargets(schema, domain, firstRow, x, t).withMissingLabels(missing);
    }

    @Override
    public void close() {
        source.close();
    }
}
