package io.scarcity.network.federation;

import io.scarcity.api.StateReader;
import io.scarcity.api.StateWriter;
import io.scarcity.runtime.client.ClientNode;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.TreeSet;

/**
 * A host's own checkpoints of its clients, in its state folder: {@code DIR/RUN_ID/WHO/round-R.state} (WHO
 * names the clients, e.g. {@code clients-0-1}, so that hosts sharing a folder do not mix), one file per
 * coordinator checkpoint, holding every client's {@link ClientNode#saveState} bytes. The coordinator's
 * checkpoint records only each state's SHA-256, so expert states never leave the host for a checkpoint; a
 * host that comes back (after its own crash, or the coordinator's) restores its clients from here.
 *
 * <p>A file is written to a temporary name, forced to disk and moved into place, so that a crash leaves
 * either the previous set of files or the new one; it ends with the SHA-256 of everything before it, so that
 * a damaged file is refused rather than restored. The newest {@code keep} files are kept.
 */
final class HostCheckpoints {
    private static final String MAGIC = "scarcity-host-checkpoint";
    private static final int FORMAT = 1;

    private final Path dir;
    private final String runId;
    private final int keep;

    /** A client's state as saved: the round it was saved after, its bytes and their SHA-256. */
    record Saved(int round, byte[] state, byte[] sha256) {
    }

    /**
     * @param stateDir the host's state folder (created when first written)
     * @param runId the run the states belong to (a folder of its own)
     * @param who the clients, as a folder name (e.g. {@code clients-0-1})
     * @param keep how many rounds' files to keep (the config's {@code checkpoint.keep})
     */
    HostCheckpoints(Path stateDir, String runId, String who, int keep) {
        for (String name : List.of(runId, who)) {
            if (!name.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,99}")) {
                throw new IllegalArgumentException("unfit for a folder name: " + name);
            }
        }
        this.dir = stateDir.resolve(runId).resolve(who);
        this.runId = runId;
        this.keep = Math.max(1, keep);
    }

    Path folder() {
        return dir;
    }

    Path file(int round) {
        return dir.resolve("round-" + round + ".state");
    }

    /**
     * Saves the clients' states after {@code round}, then deletes the files beyond the newest {@code keep}.
     *
     * @return each client's state and SHA-256, by client id
     */
    Map<String, Saved> save(int round, List<ClientNode> clients) throws IOException {
        Map<String, Saved> out = new LinkedHashMap<>();
        ByteArrayOutputStream file = new ByteArrayOutputStream();
        StateWriter w = new StateWriter(file);
        w.writeString(MAGIC);
        w.writeVersion(FORMAT);
        w.writeString(runId);
        w.writeInt(round);
        w.writeInt(clients.size());
        for (ClientNode c : clients) {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            StateWriter s = new StateWriter(bytes);
            c.saveState(s);
            s.flush();
            byte[] state = bytes.toByteArray();
            w.writeString(c.id());
            w.writeBytes(state);
            out.put(c.id(), new Saved(round, state, sha256(state)));
        }
        w.flush();
        byte[] body = file.toByteArray();
        Files.createDirectories(dir);
        restrict(dir.getParent());
        restrict(dir);
        Path tmp = dir.resolve("round-" + round + ".state.tmp");
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                StandardOpenOption.WRITE)) {
            ch.write(java.nio.ByteBuffer.wrap(body));
            ch.write(java.nio.ByteBuffer.wrap(sha256(body)));
            ch.force(true);
        }
        Files.move(tmp, file(round), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        TreeSet<Integer> rounds = rounds();
        while (rounds.size() > keep) {
            Files.deleteIfExists(file(rounds.pollFirst()));
        }
        return out;
    }

    /** The rounds with a file in the folder, oldest first. */
    TreeSet<Integer> rounds() throws IOException {
        TreeSet<Integer> out = new TreeSet<>();
        if (!Files.isDirectory(dir)) {
            return out;
        }
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "round-*.state")) {
            for (Path f : files) {
                String name = f.getFileName().toString();
                try {
                    out.add(Integer.parseInt(name.substring("round-".length(), name.length() - ".state".length())));
                } catch (NumberFormatException e) {
                    // not one of ours
                }
            }
        }
        return out;
    }

    /** The newest round whose file reads back whole, if any. */
    OptionalInt latest() throws IOException {
        for (Integer round : rounds().descendingSet()) {
            try {
                read(round);
                return OptionalInt.of(round);
            } catch (IOException e) {
                System.getLogger("io.scarcity.network").log(System.Logger.Level.WARNING,
                        "skipping the damaged local checkpoint " + file(round) + ": " + e.getMessage());
            }
        }
        return OptionalInt.empty();
    }

    /**
     * Reads the states saved after {@code round}.
     *
     * @throws IOException naming the file when it is missing, damaged or of another run
     */
    Map<String, Saved> read(int round) throws IOException {
        Path f = file(round);
        if (!Files.isRegularFile(f)) {
            throw new IOException("this host has no saved state of round " + round + " (" + f + ")");
        }
        byte[] all = Files.readAllBytes(f);
        if (all.length < 32 || !Arrays.equals(sha256(Arrays.copyOf(all, all.length - 32)), Arrays.copyOfRange(all, all.length - 32, all.length))) {
            throw new IOException(f + " is damaged (its checksum does not match)");
        }
        StateReader r = new StateReader(new ByteArrayInputStream(all, 0, all.length - 32));
        if (!MAGIC.equals(r.readString())) {
            throw new IOException(f + " is not a host checkpoint");
        }
        r.readVersion("host checkpoint", FORMAT);
        String run = r.readString();
        int saved = r.readInt();
        if (!run.equals(runId) || saved != round) {
            throw new IOException(f + " holds run " + run + " round " + saved + ", not run " + runId + " round " + round);
        }
        int n = r.readInt();
        Map<String, Saved> out = new LinkedHashMap<>();
        for (int i = 0; i < n; i++) {
            String id = r.readString();
            byte[] state = r.readBytes();
            out.put(id, new Saved(round, state, sha256(state)));
        }
        return out;
    }

    /** Restores {@code client} from {@code state}, which must be what it saved (whole); a refusal changes nothing. */
    static void restore(ClientNode client, byte[] state) throws IOException {
        client.restoreState(state);
    }

    static byte[] sha256(byte[] bytes) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(bytes);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no SHA-256", e);
        }
    }

    /** Owner-only permissions where the file system has them: the states are the host's models. */
    private static void restrict(Path folder) {
        try {
            Files.setPosixFilePermissions(folder, java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
        } catch (UnsupportedOperationException | IOException e) {
            // not a POSIX file system: its own defaults apply
        }
    }

    /** The clients a list of saved states lacks, for messages. */
    static List<String> missing(Map<String, Saved> saved, List<ClientNode> clients) {
        List<String> out = new ArrayList<>();
        for (ClientNode c : clients) {
            if (!saved.containsKey(c.id())) {
                out.add(c.id());
            }
        }
        return out;
    }
}
