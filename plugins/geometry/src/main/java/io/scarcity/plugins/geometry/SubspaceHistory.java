package io.scarcity.plugins.geometry;

import io.scarcity.api.StateReader;
import io.scarcity.api.StateWriter;
import java.io.IOException;

/**
 * The principal bases of the last {@code changeLag} batches, a ring, behind {@code geometry.subspace-change}:
 * {@code 1 - |U_now U_then^T|_F^2 / k} in [0, 1], the mean squared sine of the principal angles between the
 * subspace now and the one {@code changeLag} batches ago (or the oldest kept, the random start included,
 * until that many batches have passed).
 */
final class SubspaceHistory {
    private final int lag;
    private final int k;
    private final int d;
    /** {@code lag} bases of {@code k x d} each. */
    private final double[] bases;
    private int head;
    private int fill;

    SubspaceHistory(int lag, int k, int d) {
        this.lag = lag;
        this.k = k;
        this.d = d;
        this.bases = new double[lag * k * d];
    }

    /** Keeps the subspace's first {@code k} directions, forgetting the oldest basis once the ring is full. */
    void push(PrincipalSubspace subspace) {
        subspace.copyPrincipal(bases, head * k * d);
        head = (head + 1) % lag;
        fill = Math.min(fill + 1, lag);
    }

    /**
     * The change from the oldest kept basis to {@code basis} (its first {@code k} rows of {@code d});
     * {@code scratch} holds at least {@code k x k} values.
     */
    double change(double[] basis, double[] scratch) {
        int then = fill < lag ? (head - fill + lag) % lag : head;
        return PrincipalSubspace.distance(basis, bases, then * k * d, k, d, scratch);
    }

    void save(StateWriter out) throws IOException {
        out.writeDoubles(bases);
        out.writeInt(head);
        out.writeInt(fill);
    }

    /** Reads what {@link #save} wrote and checks it; returns what adopts it (the expert's restore applies it last). */
    Runnable read(StateReader in) throws IOException {
        double[] newBases = in.readDoubles(bases.length, "subspace history (changeLag x components x features)");
        int newHead = in.readInt();
        int newFill = in.readInt();
        if (newHead < 0 || newHead >= lag || newFill < 0 || newFill > lag) {
            throw new IOException("geometry expert checkpoint: invalid history position " + newHead + "/" + newFill);
        }
        return () -> {
            System.arraycopy(newBases, 0, bases, 0, bases.length);
            head = newHead;
            fill = newFill;
        };
    }
}
