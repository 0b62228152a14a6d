package io.scarcity.runtime.config;

import io.scarcity.api.ConfigException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One domain: its clients share a stream (a generator or a file) that a partitioner splits among them.
 * {@code stream} and {@code partition} are read by the data layer. {@code batchesPerRound}, if given,
 * overrides the run's for this domain's clients (a centralised baseline gets all clients' batches).
 * A domain with {@code stream: {type: remote}} has no stream here: its {@code clients} are slots that real
 * clients of a networked federation fill, each with its own stream ({@code scarcity client --stream}).
 * {@code labels} says which rows keep their label and when it arrives ({@link LabelsConfig}; every row at
 * once when absent).
 */
public record DomainConfig(String name, Integer clients, Map<String, Object> stream, Map<String, Object> partition,
                           Integer batchesPerRound, LateJoin late, LabelsConfig labels) {
    public DomainConfig {
        if (name == null || !RunConfig.NAME.matcher(name).matches()) {
            throw new ConfigException("name", "expected a domain name of letters, digits, '.', '_' or '-', got '" + name + "'");
        }
        if (clients == null || clients < 1) {
            throw new ConfigException("clients", "expected the number of clients in domain '" + name + "' (>= 1), got " + clients);
        }
        if (stream == null || stream.isEmpty()) {
            throw new ConfigException("stream", "domain '" + name + "' needs a stream, e.g. stream: {type: sea}");
        }
        if (REMOTE.equals(stream.get("type")) && stream.size() > 1) {
            throw new ConfigException("stream", "a remote stream has no other keys (its clients bring their own data with "
                    + "'scarcity client --stream STREAM.yaml'); remove " + String.join(", ",
                    stream.keySet().stream().filter(k -> !k.equals("type")).toList()));
        }
        if (REMOTE.equals(stream.get("type")) && partition != null) {
            throw new ConfigException("partition", "domain '" + name + "' has a remote stream: each of its real clients "
                    + "brings its own stream, there is nothing to partition; remove partition");
        }
        if (batchesPerRound != null && batchesPerRound < 1) {
            throw new ConfigException("batchesPerRound", "expected a whole number >= 1, got " + batchesPerRound);
        }
        if (late != null && late.clients() >= clients) {
            throw new ConfigException("late.clients", "domain '" + name + "' has " + clients + " clients; at most "
                    + (clients - 1) + " can join late (someone must be there first)");
        }
        labels = labels == null ? LabelsConfig.ALL : labels;
        stream = new LinkedHashMap<>(stream);
        partition = partition == null ? new LinkedHashMap<>(Map.of("type", "iid")) : new LinkedHashMap<>(partition);
    }

    /** The stream type of a domain whose clients are real clients with their own streams. */
    public static final String REMOTE = "remote";

    /**
     * Whether this domain's clients are real clients of a networked federation ({@code stream: {type: remote}}),
     * each bringing its own stream, rather than simulated clients sharing the config's stream.
     */
    public boolean remote() {
        return REMOTE.equals(stream.get("type"));
    }

    /** Whether client {@code index} of this domain has not joined yet in {@code round}. */
    public boolean notYetJoined(int index, int round) {
        return late != null && index >= clients - late.clients() && round < late.round();
    }

    /** Whether client {@code index} of this domain joins late. */
    public boolean joinsLate(int index) {
        return late != null && index >= clients - late.clients();
    }

    /** Batches per client per round in this domain. */
    public int batchesPerRound(int runDefault) {
        return batchesPerRound == null ? runDefault : batchesPerRound;
    }
}
