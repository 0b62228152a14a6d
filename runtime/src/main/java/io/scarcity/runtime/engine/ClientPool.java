package io.scarcity.runtime.engine;

import io.scarcity.api.Batch;
import io.scarcity.runtime.client.ClientHandle;
import io.scarcity.runtime.client.ClientRoundResult;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs the in-process clients' rounds on a pool of daemon threads (or on the caller's thread with one
 * thread). Results come back in client order, so the outcome never depends on the thread count.
 */
final class ClientPool implements AutoCloseable {
    private final ExecutorService pool;

    /** @param threads worker threads; 0 = one per core, 1 = the caller's thread */
    ClientPool(int threads) {
        int n = threads == 0 ? Runtime.getRuntime().availableProcessors() : threads;
        this.pool = n > 1 ? Executors.newFixedThreadPool(n, daemonThreads()) : null;
    }

    /**
     * Each client's round on its batches, or the rows it missed while {@code offline}; a client's failure
     * is rethrown as it is.
     */
    List<ClientRoundResult> run(int round, List<? extends ClientHandle> clients, List<List<Batch>> work, boolean[] offline) {
        List<ClientRoundResult> results = new ArrayList<>(clients.size());
        if (pool == null) {
            for (int i = 0; i < clients.size(); i++) {
                results.add(play(clients.get(i), round, work.get(i), offline[i]));
            }
            return results;
        }
        List<Future<ClientRoundResult>> futures = new ArrayList<>(clients.size());
        for (int i = 0; i < clients.size(); i++) {
            ClientHandle c = clients.get(i);
            List<Batch> b = work.get(i);
            boolean off = offline[i];
            futures.add(pool.submit(() -> play(c, round, b, off)));
        }
        for (Future<ClientRoundResult> f : futures) {
            try {
                results.add(f.get());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while clients were running", e);
            } catch (ExecutionException e) {
                Throwable cause = e.getCause();
                if (cause instanceof RuntimeException re) {
                    throw re;
                }
                if (cause instanceof Error err) {
                    throw err;
                }
                throw new IllegalStateException(cause);
            }
        }
        return results;
    }

    /** One client's round: its batches, or the rows it missed while offline. */
    private static ClientRoundResult play(ClientHandle c, int round, List<Batch> batches, boolean offline) {
        if (!offline) {
            try {
                return c.runRound(round, batches);
            } catch (RuntimeException | LinkageError | StackOverflowError e) {
                throw io.scarcity.runtime.RoundFailure.wrap(e, round, c.id());
            }
        }
        long rows = 0;
        for (Batch b : batches) {
            rows += b.rows();
        }
        return c.missedRound(round, rows);
    }

    private static ThreadFactory daemonThreads() {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, "scarcity-client-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    @Override
    public void close() {
        if (pool != null) {
            pool.shutdownNow();
        }
    }
}
