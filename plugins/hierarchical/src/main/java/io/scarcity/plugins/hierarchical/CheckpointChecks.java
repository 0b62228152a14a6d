package io.scarcity.plugins.hierarchical;

import io.scarcity.api.StateReader;
import java.io.IOException;

/** The checks every tier applies to what it reads back from a checkpoint, with the memory's messages. */
final class CheckpointChecks {
    private CheckpointChecks() {
    }

    static long[] readLongs(StateReader in, int expected, String what) throws IOException {
        long[] v = in.readLongs();
        if (v == null || v.length != expected) {
            throw new IOException(what + ": expected " + expected + " values, found "
                    + (v == null ? "none" : String.valueOf(v.length)) + " (the checkpoint was written with other options or data)");
        }
        return v;
    }

    static void check(boolean ok, String what) throws IOException {
        if (!ok) {
            throw new IOException("hierarchical memory: corrupt checkpoint, " + what);
        }
    }
}
