package io.scarcity.dashboard;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A networked run's federation as the coordinator recorded it: the client hosts admitted and refused (audit.jsonl's
 * admission and refusal entries, with their address and certificate name), the hosts that missed a round's deadline,
 * were lost or disconnected (run.log's warnings), and the round deadline (config.yaml's coordinator.roundDeadline). An
 * in-process run has none of these: {@link #read} returns null for it.
 */
final class FederationView {
    /** run.log's warnings about a host: "host #1 vm [host-b2] at /127.0.0.1:60862 missed the deadline of round 3 ...". */
    private static final Pattern HOST_EVENT = Pattern.compile("^(\\S+) WARNING \\S+ - (host (?:.+? at )?(\\S+) (missed the deadline of round"
            + "|was lost in round|disconnected|was lost while saving|is not connected)\\b.*)$");
    private static final int MAX_EVENTS = 200;

    private FederationView() {
    }

    static ObjectNode read(Path runDir) {
        ObjectMapper json = new ObjectMapper();
        Map<String, ObjectNode> hosts = new LinkedHashMap<>();
        ArrayNode events = json.createArrayNode();
        for (String line : lines(runDir.resolve("audit.jsonl"))) {
            JsonNode e;
            try {
                e = json.readTree(line);
            } catch (IOException ex) {
                continue;
            }
            if (e == null) {
                continue;
            }
            String type = e.path("type").asText();
            if (!type.equals("admission") && !type.equals("refusal")) {
                continue;
            }
            String host = e.path("host").asText("?");
            ObjectNode h = hosts.computeIfAbsent(host, k -> json.createObjectNode().put("host", k));
            h.put("certificate", e.path("certificate").asText(""));
            h.put("state", type.equals("admission") ? "connected" : "refused");
            h.put("decision", e.path("decision").asText(""));
            h.put("since", e.path("time").asText(""));
            event(events, e.path("time").asText(""), (type.equals("admission") ? "admitted " : "refused ") + host
                    + (e.path("certificate").asText("").isEmpty() ? "" : " (" + e.path("certificate").asText() + ")") + ": "
                    + e.path("decision").asText(""));
        }
        if (hosts.isEmpty()) {
            return null;
        }
        for (String line : lines(runDir.resolve("run.log"))) {
            Matcher m = HOST_EVENT.matcher(line);
            if (!m.matches()) {
                continue;
            }
            String host = m.group(3);
            ObjectNode h = hosts.get(host);
            if (h != null && !(m.group(4).equals("is not connected") && h.path("state").asText().equals("lost"))) {
                String what = m.group(4);
                h.put("state", what.startsWith("missed") ? "late" : "lost");
                h.put("since", m.group(1));
                h.put("decision", m.group(2));
            }
            if (!m.group(4).equals("is not connected")) { // said again at every checkpoint while it is away
                event(events, m.group(1), m.group(2));
            }
        }
        ObjectNode out = json.createObjectNode();
        ArrayNode list = out.putArray("hosts");
        hosts.values().forEach(list::add);
        out.set("events", events);
        try {
            Path config = runDir.resolve("config.yaml");
            if (Files.isRegularFile(config)) {
                JsonNode c = new ObjectMapper(new YAMLFactory()).readTree(Files.readString(config, StandardCharsets.UTF_8));
                JsonNode deadline = c == null ? null : c.path("coordinator").path("roundDeadline");
                if (deadline != null && deadline.isNumber()) {
                    out.put("roundDeadlineSeconds", deadline.asDouble());
                }
            }
        } catch (IOException | RuntimeException e) {
            // shown without the deadline
        }
        return out;
    }

    private static void event(ArrayNode events, String time, String text) {
        if (events.size() >= MAX_EVENTS) {
            events.remove(0);
        }
        events.addObject().put("time", time).put("text", text);
    }

    private static List<String> lines(Path file) {
        try {
            return Files.isRegularFile(file) ? Files.readAllLines(file, StandardCharsets.UTF_8) : List.of();
        } catch (IOException | RuntimeException e) {
            return List.of();
        }
    }
}
