package io.scarcity.network.federation;

import io.scarcity.api.DataSchema;
import io.scarcity.api.Task;
import io.scarcity.network.proto.ClientDescription;
import io.scarcity.network.proto.HostedClient;
import io.scarcity.network.proto.HostedClients;
import io.scarcity.network.transport.ConnectedHost;
import io.scarcity.network.wire.Codecs;
import io.scarcity.runtime.config.DomainConfig;
import io.scarcity.runtime.config.RunConfig;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * The coordinator's book of real clients: a domain with {@code stream: {type: remote}} and {@code clients: N}
 * has N slots ({@code D-0..D-(N-1)}, the run's client ids, so metrics and pseudonyms are as for simulated
 * clients), which real clients fill in the order they join. A client is known by its name ({@code --id}):
 * the same name joining again gets its slot back, from the same certificate identity; a second live
 * connection with the name is refused. A domain's clients must all have streams of one shape (features,
 * task, classes): the first client to join sets it. Not thread-safe: {@link RemoteFleet} calls it under its lock.
 */
final class RealClientSlots {
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*");

    private record Domain(String name, int configIndex, int first, int size) {
    }

    /** A slot taken by a real client; {@code identity} is its certificate's name ({@code null} without TLS). */
    private static final class Slot {
        final String name;
        final String identity;
        /** The shape of its stream; {@code null} for a slot restored from the book until the client joins again. */
        DataSchema schema;
        ConnectedHost host;
        /** Set by the round loop's thread when the client's stream has ended; cleared when the client joins again. */
        volatile boolean ended;

        Slot(String name, String identity, DataSchema schema) {
            this.name = name;
            this.identity = identity;
            this.schema = schema;
        }
    }

    /**
     * A real client's claim: the run's client index it was given, or why it is refused.
     *
     * @param index the slot's index among the run's clients (config order), -1 when refused
     * @param refusal for the user, {@code null} when admitted
     */
    record Claim(int index, String refusal) {
        static Claim refused(String reason) {
            return new Claim(-1, reason);
        }
    }

    private final RunConfig config;
    private final Map<String, Domain> remote = new LinkedHashMap<>();
    /** By the run's client index; {@code null} where no real client is (yet). */
    private final Slot[] slots;
    private final Map<String, Integer> byName = new HashMap<>();

    RealClientSlots(RunConfig config) {
        this.config = config;
        int first = 0;
        for (int i = 0; i < config.domains().size(); i++) {
            DomainConfig d = config.domains().get(i);
            if (d.remote()) {
                remote.put(d.name(), new Domain(d.name(), i, first, d.clients()));
            }
            first += d.clients();
        }
        this.slots = new Slot[first];
    }

    /** Whether the run's clients are real ones (its domains are remote); else it is a simulation. */
    boolean any() {
        return !remote.isEmpty();
    }

    /** Who holds which slot: the run's client id, the client's name and its certificate's name ({@code null} without TLS). */
    record Holder(String client, String name, String identity) {
    }

    /** Every slot taken so far, for the coordinator's book ({@link Enrolment}). */
    List<Holder> holders() {
        List<Holder> out = new ArrayList<>();
        for (int i = 0; i < slots.length; i++) {
            if (slots[i] != null) {
                out.add(new Holder(id(i), slots[i].name, slots[i].identity));
            }
        }
        return out;
    }

    /**
     * Gives the slots back to the clients that held them before the coordinator stopped (a resume): each
     * takes its slot again by name, from the same certificate identity.
     *
     * @throws IllegalArgumentException naming a holder that does not fit this run
     */
    void restore(List<Holder> holders) {
        for (Holder h : holders) {
            int index = -1;
            for (Domain d : remote.values()) {
                for (int i = d.first(); i < d.first() + d.size(); i++) {
                    if (id(i).equals(h.client())) {
                        index = i;
                    }
                }
            }
            if (index < 0 || !NAME.matcher(h.name()).matches() || byName.containsKey(h.name()) || slots[index] != null) {
                throw new IllegalArgumentException("slot " + h.client() + " of client '" + h.name() + "' does not fit this run");
            }
            slots[index] = new Slot(h.name(), h.identity(), null);
            byName.put(h.name(), index);
        }
    }

    /** Gives the client a Hello names its slot, or says why not. */
    Claim claim(ConnectedHost host, HostedClients hosted) {
        if (hosted.getClientsCount() != 1) {
            return Claim.refused("a real client's connection runs one client (--id NAME --domain D --stream STREAM.yaml); "
                    + "this one names " + hosted.getClientsCount());
        }
        HostedClient c = hosted.getClients(0);
        String name = c.getId();
        if (!NAME.matcher(name).matches()) {
            return Claim.refused("the client's id '" + name + "' is not a name of letters, digits, '.', '_' or '-'; "
                    + "start it with --id NAME");
        }
        Domain d = remote.get(c.getDomain());
        if (d == null) {
            return Claim.refused(unknownDomain(c.getDomain()));
        }
        DataSchema schema;
        try {
            schema = Codecs.SCHEMA.decode(c.getSchema().toByteArray());
        } catch (RuntimeException e) {
            return Claim.refused("the client sent no readable schema of its stream (" + e.getMessage() + "); "
                    + "run the same Scarcity version as the coordinator");
        }
        String identity = host.identity().orElse(null);
        Integer held = byName.get(name);
        if (held != null) {
            Slot s = slots[held];
            Domain was = domainOf(held);
            if (was != d) {
                return Claim.refused("client '" + name + "' holds slot " + id(held) + " of domain '" + was.name()
                        + "'; start it with --domain " + was.name() + ", or give a new client another --id");
            }
            if (s.host != null && s.host.connected()) {
                return Claim.refused("a client named '" + name + "' is already connected as " + id(held) + " (host " + s.host
                        + "); give each client its own --id");
            }
            if (!Objects.equals(s.identity, identity)) {
                return Claim.refused("client '" + name + "' joined as " + id(held) + " with " + certificate(s.identity)
                        + "; this connection has " + certificate(identity) + ": a slot goes back only to the identity that took it");
            }
        }
        String mismatch = mismatch(d, name, schema);
        if (mismatch != null) {
            return Claim.refused(mismatch);
        }
        int index = held != null ? held : free(d);
        if (index < 0) {
            List<String> holders = new ArrayList<>();
            for (int i = d.first(); i < d.first() + d.size(); i++) {
                holders.add("'" + slots[i].name + "' (" + id(i) + ")");
            }
            return Claim.refused("domain '" + d.name() + "' is full: its " + d.size() + " slots are held by "
                    + String.join(", ", holders) + "; raise domains[" + d.configIndex() + "].clients in the coordinator's "
                    + "config for more clients, or start the client with the id of one that left");
        }
        if (held == null) {
            slots[index] = new Slot(name, identity, schema);
            byName.put(name, index);
        } else if (slots[index].schema == null) {
            slots[index].schema = schema;
        }
        slots[index].host = host;
        slots[index].ended = false;
        return new Claim(index, null);
    }

    /**
     * Checks a real client's Ready against what its Hello said (its domain and the shape of its stream).
     *
     * @return why it does not fit, or {@code null}
     */
    String checkReady(int index, ClientDescription ready) {
        Slot s = slots[index];
        DataSchema built;
        try {
            built = Codecs.SCHEMA.decode(ready.getSchema().toByteArray());
        } catch (RuntimeException e) {
            return "client '" + s.name + "' sent no readable schema: " + e.getMessage();
        }
        if (!ready.getDomain().equals(domainOf(index).name()) || !sameShape(built, s.schema)) {
            return "client '" + s.name + "' built a client of domain " + ready.getDomain() + " with " + shape(built)
                    + ", not of " + domainOf(index).name() + " with " + shape(s.schema) + " as its Hello said";
        }
        return null;
    }

    /** How admissions and logs name the real client in slot {@code index}. */
    String describe(int index) {
        return "real client '" + slots[index].name + "' of domain " + domainOf(index).name();
    }

    /**
     * Records that the stream of the real client in slot {@code index} has ended.
     *
     * @return whether it is news (the first time since the client joined)
     */
    boolean ended(int index) {
        Slot s = slots[index];
        boolean news = !s.ended;
        s.ended = true;
        return news;
    }

    /** What to do about slots nobody took, e.g. for the coordinator's wait timeout. */
    String missing(List<Integer> indices, java.time.Duration waited) {
        List<String> ids = indices.stream().map(this::id).toList();
        String first = domainOf(indices.get(0)).name();
        return "no real client took " + (ids.size() <= 8 ? String.join(", ", ids) : ids.get(0) + ".." + ids.get(ids.size() - 1)
                + " (" + ids.size() + " slots)") + " within " + waited.toSeconds() + " s; start one client per slot with: scarcity client --coordinator HOST:PORT"
                + " --id NAME --domain " + first + " --stream STREAM.yaml";
    }

    /** The command that joins this run, for the coordinator's terminal. */
    String howToJoin(String address) {
        return "scarcity client --coordinator " + address + " --id NAME --domain " + String.join("|", remote.keySet())
                + " --stream STREAM.yaml";
    }

    private String unknownDomain(String domain) {
        String remotes = String.join(", ", remote.values().stream().map(r -> r.name() + " (" + r.size() + " slots)").toList());
        var simulated = config.domain(domain);
        if (simulated.isPresent()) {
            return "domain '" + domain + "' is simulated (stream type " + simulated.get().stream().get("type") + "), its clients "
                    + "hosted with 'scarcity client --simulate FROM-TO'; real clients join a domain with stream: {type: remote}"
                    + (remote.isEmpty() ? ", and this run has none" : ": " + remotes);
        }
        if (remote.isEmpty()) {
            return "this coordinator runs a simulation (no domain has stream: {type: remote}), so it takes no real client; "
                    + "host its clients with --simulate FROM-TO, or give real clients a domain with stream: {type: remote}";
        }
        return "this run has no domain '" + domain + "'; its domains for real clients: " + remotes + "; start the client with "
                + "--domain " + remote.keySet().iterator().next() + (remote.size() > 1 ? " (or another of them)" : "");
    }

    /** Why {@code schema} does not fit domain {@code d}'s clients, or {@code null}. */
    private String mismatch(Domain d, String name, DataSchema schema) {
        for (int i = d.first(); i < d.first() + d.size(); i++) {
            Slot s = slots[i];
            if (s != null && s.schema != null) {
                return sameShape(schema, s.schema) ? null : "client '" + name + "' has a stream of " + shape(schema)
                        + "; domain '" + d.name() + "' has " + shape(s.schema) + " (the stream of client '" + s.name + "'): give it"
                        + " a stream of the domain's shape (a classes: list in the stream file fixes the classes and their order),"
                        + " or start it in another domain";
            }
        }
        return null;
    }

    /** Free slot of domain {@code d}, or -1. */
    private int free(Domain d) {
        for (int i = d.first(); i < d.first() + d.size(); i++) {
            if (slots[i] == null) {
                return i;
            }
        }
        return -1;
    }

    private Domain domainOf(int index) {
        for (Domain d : remote.values()) {
            if (index >= d.first() && index < d.first() + d.size()) {
                return d;
            }
        }
        throw new IllegalArgumentException("client " + index + " is in no remote domain");
    }

    private String id(int index) {
        Domain d = domainOf(index);
        return d.name() + "-" + (index - d.first());
    }

    /** Features, task and classes (names in order: a label's index means the same class at every client). */
    static boolean sameShape(DataSchema a, DataSchema b) {
        return a.numFeatures() == b.numFeatures() && a.task() == b.task() && a.classNames().equals(b.classNames());
    }

    static String shape(DataSchema s) {
        return s.numFeatures() + " features, " + (s.task() == Task.CLASSIFICATION ? "classification of classes " + s.classNames()
                : "regression");
    }

    private static String certificate(String identity) {
        return identity == null ? "no certificate (--insecure)" : "the certificate of '" + identity + "'";
    }
}
