package io.scarcity.runtime.data;

import java.util.Objects;
import java.util.Random;

/** Sends each row to a client chosen uniformly at random: every client sees the same distribution. */
public final class IidPartitioner implements Partitioner {
    private final int clients;
    private final Random rnd;

    public IidPartitioner(int clients, long seed) {
        if (clients < 1) {
            throw new IllegalArgumentException("clients must be >= 1, got " + clients);
        }
        this.clients = clients;
        this.rnd = new Random(seed);
    }

    @Override
    public int assign(Row row) {
        Objects.requireNonNull(row, "row is null");
        return rnd.nextInt(clients);
    }
}
