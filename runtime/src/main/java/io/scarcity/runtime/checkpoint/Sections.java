package io.scarcity.runtime.checkpoint;

import io.scarcity.api.Checkpointable;
import io.scarcity.api.StateReader;
import io.scarcity.api.StateWriter;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;

/**
 * A component's state as a length-prefixed section of a checkpoint: the component writes into a buffer
 * of its own, so that on restore a component that reads more or less than it wrote is caught and named
 * (instead of silently shifting everything after it).
 */
public final class Sections {
    private Sections() {
    }

    /**
     * Writes {@code component}'s state as a section.
     *
     * @throws IllegalStateException if it is not {@link Checkpointable}
     */
    public static void write(StateWriter out, String what, Object component) throws IOException {
        if (!(component instanceof Checkpointable c)) {
            throw new IllegalStateException(what + " (" + component.getClass().getName() + ") cannot be checkpointed");
        }
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        StateWriter w = new StateWriter(buffer);
        try {
            c.saveState(w);
            w.flush();
        } catch (RuntimeException e) {
            throw new IOException("saving the state of " + what + " failed: " + e, e);
        }
        out.writeString(what);
        out.writeBytes(buffer.toByteArray());
    }

    /** Reads a section written by {@link #write} into {@code component}, checking name and length. */
    public static void read(StateReader in, String what, Object component) throws IOException {
        String saved = in.readString();
        if (!what.equals(saved)) {
            throw new IOException("expected the state of " + what + ", found " + saved);
        }
        byte[] bytes = in.readBytes();
        if (bytes == null) {
            throw new IOException("corrupt checkpoint: no section for " + what);
        }
        int n = bytes.length;
        if (!(component instanceof Checkpointable c)) {
            throw new IOException(what + " (" + component.getClass().getName() + ") cannot restore a checkpoint");
        }
        ByteArrayInputStream buffer = new ByteArrayInputStream(bytes);
        try {
            c.restoreState(new StateReader(buffer));
        } catch (RuntimeException e) {
            throw new IOException("restoring the state of " + what + " failed: " + e, e);
        } catch (IOException e) {
            throw new IOException(what + ": " + e.getMessage(), e);
        }
        if (buffer.available() != 0) {
            throw new IOException(what + " read " + (n - buffer.available()) + " of the " + n
                    + " bytes it saved; its restoreState does not match its saveState");
        }
    }
}
