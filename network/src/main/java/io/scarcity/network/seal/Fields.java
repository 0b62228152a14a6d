package io.scarcity.network.seal;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/** An unambiguous byte encoding of a list of fields (each length-prefixed), for signatures, HKDF info and AAD. */
final class Fields {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    Fields(String label) {
        text(label);
    }

    Fields text(String s) {
        return bytes(s.getBytes(StandardCharsets.UTF_8));
    }

    Fields bytes(byte[] b) {
        integer(b.length);
        out.write(b, 0, b.length);
        return this;
    }

    Fields integer(int v) {
        out.write(v >>> 24);
        out.write(v >>> 16);
        out.write(v >>> 8);
        out.write(v);
        return this;
    }

    byte[] toByteArray() {
        return out.toByteArray();
    }
}
