package io.scarcity.dashboard;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A networked run's federation as the coordinator recorded it: the client hosts admitted and refused (audit.jsonl's
 * admission and refusal entries, with their address and certificate name), the hosts that fell silent, missed a round's
 * deadline, were lost or disconnected, and were heard again (run.log), and the round deadline (config.yaml's
 * coordinator.roundDeadline). Read incrementally: {@link #refresh()} takes only the lines appended since the last call.
 * An in-process run has no admissions: its {@link #snapshot()} is null.
 */
final class FederationView {
    /** run.log's lines about a host: "host #1 vm [host-b2] at /127.0.0.1:60862 missed the deadline of round 3 ...". */
    private static final Pattern HOST_EVENT = Pattern.compile("^(\\S+) (?:WARNING|INFO) \\S+ - (host (?:.+? at )?(\\S+) (missed the deadline of round"
            + "|was lost in round|disconnected|was lost while saving|is not connected|is silent|is heard again)\\b.*)$");
    private static final int MAX_EVENTS = 200;
    private static final int READ_BYTES = 8 << 20;

    private final ObjectMapper json = new ObjectMapper();
    private final Path runDir;
    private final LineTail audit;
    private final LineTail log;
    private final Map<String, ObjectNode> hosts = new LinkedHashMap<>();
    private final List<ObjectNode> events = new ArrayList<>();
    private Double deadline;
    private boolean deadlineRead;

    FederationView(Path runDir) {
        this.runDir = runDir;
        this.audit = new LineTail(runDir.resolve("audit.jsonl"));
        this.log = new LineTail(runDir.resolve("run.log"));
    }

    /** The federation of the run in {@code runDir} as it stands, or null for a run without hosts. */
    static ObjectNode read(Path runDir) {
        FederationView v = new FederationView(runDir);
        v.refresh();
        return v.snapshot();
    }

    /** Reads the lines appended since the last call; true if a host or an event was added or changed. */
    synchronized boolean refresh() {
        boolean changed = false;
        try {
            boolean[] restarted = new boolean[1];
            changed |= audit.drain(READ_BYTES, () -> restarted[0] = true, this::auditLine);
            changed |= log.drain(READ_BYTES, () -> restarted[0] = true, this::logLine);
            if (restarted[0]) {
                // a file rewritten (a resume cuts the audit log back): read both again from their starts
                hosts.clear();
                events.clear();
                FederationView fresh = new FederationView(runDir);
                fresh.refresh();
                hosts.putAll(fresh.hosts);
                events.addAll(fresh.events);
                audit.skipTo(fresh.audit);
                log.skipTo(fresh.log);
                return true;
            }
        } catch (IOException e) {
            // a file removed meanwhile: shown as it stood
        }
        if (changed) {
            events.sort(Comparator.comparing(e -> e.path("time").asText()));
            while (events.size() > MAX_EVENTS) {
                events.remove(0);
            }
        }
        return changed;
    }

    private boolean auditLine(String line) {
        JsonNode e;
        try {
            e = json.readTree(line);
        } catch (IOException ex) {
            return false;
        }
        String type = e == null ? "" : e.path("type").asText();
        if (!type.equals("admission") && !type.equals("refusal")) {
            return false;
        }
        String host = e.path("host").asText("?");
        ObjectNode h = hosts.computeIfAbsent(host, k -> json.createObjectNode().put("host", k));
        h.put("certificate", e.path("certificate").asText(""));
        h.put("state", type.equals("admission") ? "connected" : "refused");
        h.put("decision", e.path("decision").asText(""));
        h.put("since", e.path("time").asText(""));
        event(e.path("time").asText(""), (type.equals("admission") ? "admitted " : "refused ") + host
                + (e.path("certificate").asText("").isEmpty() ? "" : " (" + e.path("certificate").asText() + ")") + ": "
                + e.path("decision").asText(""));
        return true;
    }

    private boolean logLine(String line) {
        Matcher m = HOST_EVENT.matcher(line);
        if (!m.matches()) {
            return false;
        }
        String what = m.group(4);
        ObjectNode h = hosts.get(m.group(3));
        boolean repeated = what.equals("is not connected"); // said again at every checkpoint while it is away
        if (h != null && !(repeated && h.path("state").asText().equals("lost"))) {
            h.put("state", switch (what) {
                case "missed the deadline of round" -> "late";
                case "is silent" -> "silent";
                case "is heard again" -> "connected";
                default -> "lost";
            });
            h.put("since", m.group(1));
            h.put("decision", m.group(2));
        }
        if (!repeated) {
            event(m.group(1), m.group(2));
        }
        return h != null || !repeated;
    }

    private void event(String time, String text) {
        events.add(json.createObjectNode().put("time", time).put("text", text));
    }

    /** Hosts, events in time order and the round deadline; null while no host was admitted or refused. */
    synchronized ObjectNode snapshot() {
        if (hosts.isEmpty()) {
            return null;
        }
        ObjectNode out = json.createObjectNode();
        ArrayNode list = out.putArray("hosts");
        hosts.values().forEach(h -> list.add(h.deepCopy()));
        ArrayNode e = out.putArray("events");
        events.forEach(x -> e.add(x.deepCopy()));
        if (!deadlineRead) {
            deadlineRead = true;
            String text = RunFolders.readText(runDir.resolve("config.yaml"));
            try {
                JsonNode c = text == null ? null : ConfigFiles.YAML.readTree(text);
                JsonNode d = c == null ? null : c.path("coordinator").path("roundDeadline");
                deadline = d != null && d.isNumber() ? d.asDouble() : null;
            } catch (IOException | RuntimeException ex) {
                deadline = null;
            }
        }
        if (deadline != null) {
            out.put("roundDeadlineSeconds", deadline);
        }
        return out;
    }
}
