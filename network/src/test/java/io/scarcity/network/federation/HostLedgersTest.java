package io.scarcity.network.federation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HostLedgersTest {
    @TempDir
    Path dir;

    @Test
    void noFileNoLedgersAndNoClientUnderDpWritesNone() throws Exception {
        HostLedgers l = new HostLedgers(dir);
        assertTrue(l.read().isEmpty());
        l.save(List.of());
        assertTrue(!Files.exists(l.file()), "nothing to keep: no file");
    }

    @Test
    void aChangedOrCutFileIsRefusedNamingIt() throws Exception {
        HostLedgers l = new HostLedgers(dir);
        // a file in the format, written by hand: one client, three bytes of ledger, then its SHA-256
        java.io.ByteArrayOutputStream b = new java.io.ByteArrayOutputStream();
        try (java.io.DataOutputStream out = new java.io.DataOutputStream(b)) {
            out.writeInt(0x53504c47);
            out.writeInt(1);
            out.writeInt(1);
            out.writeUTF("coast-2");
            out.writeInt(3);
            out.write(new byte[] {1, 2, 3});
        }
        byte[] body = b.toByteArray();
        byte[] digest = java.security.MessageDigest.getInstance("SHA-256").digest(body);
        byte[] file = new byte[body.length + 32];
        System.arraycopy(body, 0, file, 0, body.length);
        System.arraycopy(digest, 0, file, body.length, 32);
        Files.write(l.file(), file);
        // version 1 (before private gossip): the ledger is the insights' accountant alone, read as one without a gossip secret
        org.junit.jupiter.api.Assertions.assertArrayEquals(io.scarcity.runtime.client.ClientNode.ledgerOfInsightPrivacy(
                new byte[] {1, 2, 3}), l.read().get("coast-2"));
        file[body.length - 1] ^= 1;
        Files.write(l.file(), file);
        IOException changed = assertThrows(IOException.class, l::read);
        assertTrue(changed.getMessage().contains(l.file().toString()) && changed.getMessage().contains("would give spent budget back"),
                changed.getMessage());
        Files.write(l.file(), java.util.Arrays.copyOf(file, 20));
        assertThrows(IOException.class, l::read, "cut short");
    }
}
