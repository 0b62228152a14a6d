package io.scarcity.plugins.governance;

import io.scarcity.api.StateReader;
import io.scarcity.api.StateWriter;
import java.io.IOException;

/** Whether each of the last {@code size} rows was a violation, one bit per row, with their count. */
final class ViolationWindow {
    private final int size;
    private final long[] bits;
    private int position;
    private int count;

    ViolationWindow(int size) {
        this.size = size;
        this.bits = new long[(size + 63) >>> 6];
    }

    /** Records the next row, forgetting the row {@code size} rows back. */
    void add(boolean violated) {
        int w = position >>> 6;
        long mask = 1L << position; // the shift uses position mod 64
        long word = bits[w];
        if (((word & mask) != 0) != violated) {
            bits[w] = word ^ mask;
            count += violated ? 1 : -1;
        }
        if (++position == size) {
            position = 0;
        }
    }

    /** Violations among the last {@code size} rows (rows never added count as none). */
    int count() {
        return count;
    }

    void save(StateWriter out) throws IOException {
        out.writeInt(position);
        out.writeLongs(bits);
    }

    void restore(StateReader in, String what) throws IOException {
        int p = in.readInt();
        long[] b = in.readLongs();
        if (p < 0 || p >= size || b.length != bits.length) {
            throw new IOException("governance expert checkpoint: " + what + " window does not fit " + size + " rows");
        }
        int c = 0;
        for (int i = 0; i < b.length; i++) {
            if (i == b.length - 1 && (size & 63) != 0 && (b[i] >>> (size & 63)) != 0) {
                throw new IOException("governance expert checkpoint: " + what + " window has rows beyond its size");
            }
            c += Long.bitCount(b[i]);
        }
        System.arraycopy(b, 0, bits, 0, b.length);
        position = p;
        count = c;
    }
}
