package io.scarcity.runtime.engine;

import io.scarcity.api.Batch;
import io.scarcity.api.DataSchema;
import io.scarcity.api.Task;
import io.scarcity.runtime.data.Partitioner;
import io.scarcity.runtime.data.Row;
import io.scarcity.runtime.data.RowSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One domain's stream split among its clients: each round it draws
 * {@code clients x batchesPerRound x batchSize} rows from the source, routes each to a client with the
 * partitioner, and cuts each client's rows into batches (the last one possibly short). Under label or
 * quantity skew, clients get unequal shares, as they would in the field.
 */
final class DomainFeed implements AutoCloseable {
    private final String domain;
    private final RowSource source;
    private final Partitioner partitioner;
    private final int clients;
    private final int batchSize;
    private final int rowsPerRound;
    private final long[] clientRows;
    private boolean exhausted;

    DomainFeed(String domain, RowSource source, Partitioner partitioner, int clients, int batchSize, int batchesPerRound) {
        this.domain = Objects.requireNonNull(domain, "domain is null");
        this.source = Objects.requireNonNull(source, "source is null");
        this.partitioner = Objects.requireNonNull(partitioner, "partitioner is null");
        this.clients = clients;
        this.batchSize = batchSize;
        this.rowsPerRound = Math.multiplyExact(Math.multiplyExact(clients, batchesPerRound), batchSize);
        this.clientRows = new long[clients];
    }

    DataSchema schema() {
        return source.schema();
    }

    RowSource source() {
        return source;
    }

    boolean exhausted() {
        return exhausted;
    }

    int rowsPerRound() {
        return rowsPerRound;
    }

    /** Batches per client index for the next round; empty lists once the source is exhausted. */
    List<List<Batch>> nextRound() {
        DataSchema schema = source.schema();
        int d = schema.numFeatures();
        boolean classification = schema.task() == Task.CLASSIFICATION;
        List<List<Row>> perClient = new ArrayList<>(clients);
        for (int c = 0; c < clients; c++) {
            perClient.add(new ArrayList<>());
        }
        for (int i = 0; i < rowsPerRound && !exhausted; i++) {
            Optional<Row> row = source.next();
            if (row.isEmpty()) {
                exhausted = true;
                break;
            }
            int c = partitioner.assign(row.get());
            perClient.get(c).add(row.get());
        }
        List<List<Batch>> out = new ArrayList<>(clients);
        for (int c = 0; c < clients; c++) {
            List<Row> rows = perClient.get(c);
            List<Batch> batches = new ArrayList<>();
            for (int from = 0; from < rows.size(); from += batchSize) {
                int to = Math.min(rows.size(), from + batchSize);
                int n = to - from;
                double[] x = new double[n * d];
                for (int r = 0; r < n; r++) {
                    System.arraycopy(rows.get(from + r).features(), 0, x, r * d, d);
                }
                long first = clientRows[c];
                clientRows[c] += n;
                if (classification) {
                    int[] y = new int[n];
                    for (int r = 0; r < n; r++) {
                        y[r] = rows.get(from + r).label();
                    }
                    batches.add(Batch.ofClasses(schema, domain, first, x, y));
                } else {
                    double[] t = new double[n];
                    for (int r = 0; r < n; r++) {
                        t[r] = rows.get(from + r).target();
                    }
                    batches.add(Batch.ofTargets(schema, domain, first, x, t));
                }
            }
            out.add(batches);
        }
        return out;
    }

    @Override
    public void close() {
        source.close();
    }
}
