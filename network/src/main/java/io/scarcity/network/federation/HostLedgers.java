package io.scarcity.network.federation;

import io.scarcity.runtime.client.ClientNode;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The privacy ledgers of a host's clients under {@code privacy.dp} (each client's spent budget and noise secrets, of its
 * insights and of its private gossip), in a file
 * of their own in the host's state folder ({@code privacy-ledgers.bin}), written before a round's released insights leave
 * the host. A host process started again reads it back, so that the rounds it released after its last checkpoint stay
 * spent: a restart never gives budget back. The file ends with the SHA-256 of what precedes it; a file that does not
 * verify is refused (the budget spent is then unknown, and the clients must not release on a guess).
 */
final class HostLedgers {
    static final String FILE = "privacy-ledgers.bin";
    private static final int MAGIC = 0x53504c47; // "SPLG"
    /** 2: each client's ledger holds its private gossip's noise secret too (1: the insights' accountant alone). */
    private static final int VERSION = 2;

    private final Path file;

    HostLedgers(Path folder) {
        this.file = folder.resolve(FILE);
    }

    Path file() {
        return file;
    }

    /** Writes every client's ledger (those under DP), atomically and synced; does nothing if none has one. */
    void save(List<ClientNode> clients) throws IOException {
        Map<String, byte[]> ledgers = new LinkedHashMap<>();
        for (ClientNode c : clients) {
            byte[] l = c.privacyLedger();
            if (l != null) {
                ledgers.put(c.id(), l);
            }
        }
        if (ledgers.isEmpty()) {
            return;
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeInt(MAGIC);
            out.writeInt(VERSION);
            out.writeInt(ledgers.size());
            for (Map.Entry<String, byte[]> e : ledgers.entrySet()) {
                out.writeUTF(e.getKey());
                out.writeInt(e.getValue().length);
                out.write(e.getValue());
            }
        }
        byte[] body = bytes.toByteArray();
        byte[] digest = sha256(body);
        Files.createDirectories(file.getParent());
        Path tmp = file.resolveSibling(FILE + ".tmp");
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)) {
            ch.write(java.nio.ByteBuffer.wrap(body));
            ch.write(java.nio.ByteBuffer.wrap(digest));
            ch.force(true);
        }
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /**
     * The ledgers saved, by client id; empty if there is no file yet.
     *
     * @throws IOException naming the file if it is cut short, changed or not a ledger file
     */
    Map<String, byte[]> read() throws IOException {
        Map<String, byte[]> out = new LinkedHashMap<>();
        if (!Files.exists(file)) {
            return out;
        }
        byte[] all = Files.readAllBytes(file);
        if (all.length < 32 + 12 || !Arrays.equals(sha256(Arrays.copyOf(all, all.length - 32)), Arrays.copyOfRange(all, all.length - 32, all.length))) {
            throw new IOException(file + " does not verify (cut short or changed): the privacy budget its clients spent is unknown."
                    + " Restore it from a backup; deleting it would give spent budget back");
        }
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(all, 0, all.length - 32))) {
            int version = in.readInt() == MAGIC ? in.readInt() : -1;
            if (version != 1 && version != VERSION) {
                throw new IOException(file + " is not a privacy ledger file of this version");
            }
            int n = in.readInt();
            for (int i = 0; i < n; i++) {
                String id = in.readUTF();
                byte[] l = new byte[in.readInt()];
                in.readFully(l);
                out.put(id, version == 1 ? ClientNode.ledgerOfInsightPrivacy(l) : l);
            }
        }
        return out;
    }

    private static byte[] sha256(byte[] b) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(b);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
