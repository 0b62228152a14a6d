package io.scarcity.network.federation;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.scarcity.runtime.UserException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Which identity took which clients in a run, kept for its whole life: a range of simulated clients goes
 * back only to the certificate identity that first hosted it (so that another enrolled host cannot take over
 * a range, and its saved states, mid-run), and a real client's slot only to its name and identity
 * ({@link RealClientSlots}). The book is kept in the run folder as {@code hosts.json}, rewritten whenever it
 * changes, so that a resumed coordinator gives the same clients to the same identities. It names
 * certificates and client names, never a key. Not thread-safe: {@link RemoteFleet} calls it under its lock.
 */
final class Enrolment {
    static final String FILE = "hosts.json";
    private static final int FORMAT = 1;

    private record Bound(int from, int to, String identity) {
    }

    private final TreeMap<Integer, Bound> ranges = new TreeMap<>();
    private final RealClientSlots realClients;
    private Path file;

    Enrolment(RealClientSlots realClients) {
        this.realClients = realClients;
    }

    /**
     * Checks that a host of {@code identity} ({@code null} without TLS) may host clients {@code from..to-1}, and
     * binds the range to it if it is the first.
     *
     * @return why not, or {@code null}
     */
    String claimRange(int from, int to, String identity) {
        for (Bound b : ranges.values()) {
            if (from < b.to() && b.from() < to) {
                if (b.from() != from || b.to() != to) {
                    return "clients " + b.from() + "-" + (b.to() - 1) + " were hosted together by " + who(b.identity())
                            + " in this run; a host taking them back must ask for exactly --simulate " + b.from() + "-" + (b.to() - 1);
                }
                if (!Objects.equals(b.identity(), identity)) {
                    return "clients " + from + "-" + (to - 1) + " were hosted by " + who(b.identity()) + " in this run; this host has "
                            + who(identity) + ": a range goes back only to the identity that hosted it (its states are there)";
                }
                return null;
            }
        }
        ranges.put(from, new Bound(from, to, identity));
        write();
        return null;
    }

    /** A real client took a new slot: the book is written again. */
    void slotTaken() {
        write();
    }

    /** From now on the book is kept in {@code runDir} (written at once). */
    void keepIn(Path runDir) {
        this.file = runDir.resolve(FILE);
        write();
    }

    /**
     * Reads the book of the run in {@code runDir} (a resume): the same ranges and slots go back to the same
     * identities.
     *
     * @throws UserException if the book is missing or unreadable
     */
    void restore(Path runDir) {
        Path f = runDir.resolve(FILE);
        if (!Files.isRegularFile(f)) {
            throw new UserException(runDir + " has no " + FILE + " (which host took which clients): it was not written by a "
                    + "networked coordinator of this version; start a new run");
        }
        try {
            JsonNode root = new ObjectMapper().readTree(Files.readString(f, StandardCharsets.UTF_8));
            if (root == null || root.path("format").asInt() != FORMAT) {
                throw new IOException("format " + (root == null ? "none" : root.path("format").asText()) + ", expected " + FORMAT);
            }
            for (JsonNode r : root.path("ranges")) {
                int from = r.path("from").asInt(-1);
                int to = r.path("to").asInt(-1);
                if (from < 0 || to <= from) {
                    throw new IOException("a range " + r + " of no clients");
                }
                ranges.put(from, new Bound(from, to, r.path("identity").isTextual() ? r.get("identity").asText() : null));
            }
            List<RealClientSlots.Holder> holders = new ArrayList<>();
            for (JsonNode h : root.path("realClients")) {
                holders.add(new RealClientSlots.Holder(h.path("client").asText(), h.path("name").asText(),
                        h.path("identity").isTextual() ? h.get("identity").asText() : null));
            }
            realClients.restore(holders);
        } catch (IOException | IllegalArgumentException e) {
            throw new UserException("cannot read " + f + ": " + e.getMessage() + "; restore the file from the run folder's backup, "
                    + "or start a new run");
        }
        this.file = runDir.resolve(FILE);
    }

    private void write() {
        if (file == null) {
            return;
        }
        ObjectMapper json = new ObjectMapper();
        ObjectNode root = json.createObjectNode();
        root.put("format", FORMAT);
        ArrayNode out = root.putArray("ranges");
        for (Map.Entry<Integer, Bound> e : ranges.entrySet()) {
            ObjectNode r = out.addObject();
            r.put("from", e.getValue().from());
            r.put("to", e.getValue().to());
            r.put("identity", e.getValue().identity());
        }
        ArrayNode real = root.putArray("realClients");
        for (RealClientSlots.Holder h : realClients.holders()) {
            real.addObject().put("client", h.client()).put("name", h.name()).put("identity", h.identity());
        }
        try {
            Path tmp = file.resolveSibling(FILE + ".tmp");
            Files.writeString(tmp, json.writerWithDefaultPrettyPrinter().writeValueAsString(root) + "\n", StandardCharsets.UTF_8);
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UserException("cannot write " + file + ": " + io.scarcity.runtime.Faults.describe(e));
        }
    }

    private static String who(String identity) {
        return identity == null ? "a host without a certificate (--insecure)" : "the certificate of '" + identity + "'";
    }
}
