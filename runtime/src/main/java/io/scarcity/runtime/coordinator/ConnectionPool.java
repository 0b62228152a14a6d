package io.scarcity.runtime.coordinator;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Semaphore;
import javax.sql.DataSource;

/**
 * The coordinator database's connections: at most {@code size}, opened on demand and reused; a broken one
 * is closed and replaced. Safe under concurrent borrowers.
 */
final class ConnectionPool {
    private final String description;
    private final DataSource source;
    private final Semaphore permits;
    private final ConcurrentLinkedQueue<Connection> idle = new ConcurrentLinkedQueue<>();
    private volatile boolean closed;

    /** @param description the database as error messages name it */
    ConnectionPool(DataSource source, int size, String description) {
        this.description = description;
        this.source = source;
        this.permits = new Semaphore(size, true);
    }

    Connection borrow() {
        if (closed) {
            throw new IllegalStateException("the global memory " + description + " is closed");
        }
        try {
            permits.acquire();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new GlobalMemoryException("interrupted while waiting for a connection to "
                    + description, e);
        }
        Connection c = idle.poll();
        if (c != null) {
            return c;
        }
        try {
            return source.getConnection();
        } catch (SQLException e) {
            permits.release();
            throw new GlobalMemoryException("cannot connect to the coordinator's database " + description
                    + ": " + e.getMessage(), e);
        }
    }

    void giveBack(Connection c, boolean broken) {
        if (broken || closed) {
            quietlyClose(c);
        } else {
            idle.offer(c);
        }
        permits.release();
        if (closed) {
            drain();
        }
    }

    void close() {
        closed = true;
        drain();
    }

    private void drain() {
        Connection c;
        while ((c = idle.poll()) != null) {
            quietlyClose(c);
        }
    }

    private void quietlyClose(Connection c) {
        try {
            c.close();
        } catch (SQLException e) {
            // the connection is being dropped; nothing is pending on it
        }
    }
}
