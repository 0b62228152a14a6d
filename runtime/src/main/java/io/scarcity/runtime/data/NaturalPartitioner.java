package io.scarcity.runtime.data;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Natural partitioning: one client per group of the stream ({@link Row#group()}, the value of the
 * source's id column, e.g. a sensor mote). The groups, sorted (numerically when all are numbers), go to
 * clients 0, 1, ... in that order. With fewer groups than clients the remaining clients receive no
 * rows; more groups than clients is an error. No randomness.
 */
public final class NaturalPartitioner implements Partitioner {
    private final Map<String, Integer> clientOf = new HashMap<>();
    private final List<String> groups;

    /**
     * @param groups the distinct groups (sorted here, numerically when all are numbers)
     * @param clients number of clients, >= groups.size()
     * @throws DataException if there are more groups than clients
     */
    public NaturalPartitioner(List<String> groups, int clients) {
        Objects.requireNonNull(groups, "groups is null");
        if (new HashSet<>(groups).size() != groups.size()) {
            throw new IllegalArgumentException("duplicate groups in " + groups);
        }
        this.groups = TableStream.sortedNaturally(new HashSet<>(groups));
        if (clients < 1) {
            throw new IllegalArgumentException("clients must be >= 1, got " + clients);
        }
        if (this.groups.isEmpty()) {
            throw new DataException("natural partitioning found no groups: the stream's id column has no valid rows");
        }
        if (this.groups.size() > clients) {
            throw new DataException("natural partitioning gives each client one group of the stream's id column,"
                    + " and the stream has " + this.groups.size() + " groups (" + TableStream.shownList(this.groups)
                    + ") but the domain has " + clients + " clients; set clients: " + this.groups.size());
        }
        for (int k = 0; k < this.groups.size(); k++) {
            clientOf.put(this.groups.get(k), k);
        }
    }

    @Override
    public int assign(Row row) {
        Objects.requireNonNull(row, "row is null");
        if (row.group() == null) {
            throw new IllegalArgumentException("row " + row.index() + " has no group; natural partitioning needs"
                    + " the source's id column");
        }
        Integer k = clientOf.get(row.group());
        if (k == null) {
            throw new DataException("row " + row.index() + " has the id '" + TableStream.shown(row.group()) + "', which"
                    + " the scan of the id column before the run did not find (did the file change?)");
        }
        return k;
    }

    /** The groups, in client order: group i goes to client i. */
    public List<String> groups() {
        return groups;
    }
}
