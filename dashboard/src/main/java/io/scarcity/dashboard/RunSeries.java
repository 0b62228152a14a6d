package io.scarcity.dashboard;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * A run's charts, per round: accuracy (or RMSE) per domain as the row-weighted mean over its clients with the clients'
 * spread (lowest and highest), compute saved, each expert's activations, bytes sent (and gossip's part), memory tiers,
 * ε spent, drift detections; and the
 * coordinator's health per round (coordinator.jsonl). Read incrementally: {@link #refresh()} takes the lines appended
 * since the last call, so a live run costs only its new rounds. A line that is not JSON, or lacks its round, is
 * skipped and reported (file and line number), never fatal; a half-written last line waits for its newline.
 */
final class RunSeries {
    private static final int READ_BYTES = 8 << 20;
    private final ObjectMapper json = new ObjectMapper();
    private final LineTail metricsTail;
    private final LineTail coordinatorTail;
    private final TreeMap<Integer, Round> rounds = new TreeMap<>();
    private final TreeMap<Integer, JsonNode> coordinator = new TreeMap<>();
    private final TreeSet<String> domains = new TreeSet<>();
    private final TreeSet<String> clients = new TreeSet<>();
    /** Each client's accuracy (or RMSE) by round, and its domain: the page's per-client lines (up to MAX_CLIENT_LINES). */
    private final Map<String, TreeMap<Integer, Double>> byClient = new TreeMap<>();
    private final Map<String, String> domainOf = new TreeMap<>();
    static final int MAX_CLIENT_LINES = 50;
    private final List<String> problems = new ArrayList<>();
    private long metricsLine;
    private long coordinatorLine;
    private final TreeSet<String> regressionDomains = new TreeSet<>();

    RunSeries(Path runDir) {
        this.metricsTail = new LineTail(runDir.resolve("metrics.jsonl"));
        this.coordinatorTail = new LineTail(runDir.resolve("coordinator.jsonl"));
    }

    /** Reads what was appended since the last call; true if anything new was read. */
    synchronized boolean refresh() throws IOException {
        boolean metrics = metricsTail.drain(READ_BYTES, () -> {
            rounds.clear();
            clients.clear();
            byClient.clear();
            domainOf.clear();
            domains.clear();
            regressionDomains.clear();
            problems.removeIf(p -> p.startsWith("metrics.jsonl"));
            metricsLine = 0;
        }, line -> {
            metricsLine++;
            return addMetrics(line);
        });
        boolean health = coordinatorTail.drain(READ_BYTES, () -> {
            coordinator.clear();
            problems.removeIf(p -> p.startsWith("coordinator.jsonl"));
            coordinatorLine = 0;
        }, line -> {
            coordinatorLine++;
            return addCoordinator(line);
        });
        return metrics || health;
    }

    private boolean addCoordinator(String line) {
        if (line.isBlank()) {
            return false;
        }
        try {
            JsonNode n = json.readTree(line);
            if (n == null || !n.path("round").canConvertToInt()) {
                problem("coordinator.jsonl", coordinatorLine, "no round number");
                return false;
            }
            coordinator.put(n.get("round").asInt(), n);
            return true;
        } catch (IOException e) {
            problem("coordinator.jsonl", coordinatorLine, "not JSON");
            return false;
        }
    }

    private void problem(String file, long line, String what) {
        if (problems.size() < 20) {
            problems.add(file + " line " + line + ": " + what + "; the line is left out of the charts");
        }
    }

    private boolean addMetrics(String line) {
        if (line.isBlank()) {
            return false;
        }
        JsonNode m;
        try {
            m = json.readTree(line);
        } catch (IOException e) {
            problem("metrics.jsonl", metricsLine, "not JSON");
            return false;
        }
        if (m == null || !m.path("round").canConvertToInt() || !m.path("domain").isTextual()) {
            problem("metrics.jsonl", metricsLine, "no round or domain");
            return false;
        }
        int r = m.get("round").asInt();
        String domain = m.get("domain").asText();
        domains.add(domain);
        clients.add(m.path("client").asText("?"));
        Round round = rounds.computeIfAbsent(r, k -> new Round());
        round.add(domain, m);
        String client = m.path("client").asText("?");
        JsonNode value = metric(m);
        if (value != null && !m.path("offline").asBoolean(false)) {
            byClient.computeIfAbsent(client, c -> new TreeMap<>()).put(r, value.asDouble());
            domainOf.put(client, domain);
        }
        JsonNode score = metric(m);
        if (score != null && score == m.get("rmse")) {
            regressionDomains.add(domain);
        }
        return true;
    }

    /** A metrics line's score: its accuracy, or for regression its RMSE; null if it has neither (nothing scored). */
    private static JsonNode metric(JsonNode m) {
        for (String key : new String[] {"accuracy", "rmse"}) {
            JsonNode v = m.path(key);
            if (v.isNumber() && Double.isFinite(v.asDouble())) {
                return v;
            }
        }
        return null;
    }

    /** The charts' data so far, as JSON arrays indexed like {@code rounds}. */
    synchronized ObjectNode snapshot() {
        ObjectNode out = json.createObjectNode();
        boolean mixed = !regressionDomains.isEmpty() && regressionDomains.size() < domains.size();
        out.put("metric", mixed ? "mixed" : regressionDomains.isEmpty() ? "accuracy" : "rmse");
        out.put("clients", clients.size());
        ArrayNode roundList = out.putArray("rounds");
        rounds.keySet().forEach(roundList::add);
        ObjectNode byDomain = out.putObject("domains");
        for (String d : domains) {
            ObjectNode s = byDomain.putObject(d);
            s.put("metric", regressionDomains.contains(d) ? "rmse" : "accuracy");
            ArrayNode mean = s.putArray("mean");
            ArrayNode lo = s.putArray("lo");
            ArrayNode hi = s.putArray("hi");
            for (Round r : rounds.values()) {
                Agg a = r.domains.get(d);
                if (a == null || a.weight == 0) {
                    mean.addNull();
                    lo.addNull();
                    hi.addNull();
                } else {
                    mean.add(a.mean());
                    lo.add(a.min);
                    hi.add(a.max);
                }
            }
        }
        if (byClient.size() <= MAX_CLIENT_LINES) {
            ObjectNode each = out.putObject("byClient");
            for (Map.Entry<String, TreeMap<Integer, Double>> c : byClient.entrySet()) {
                ObjectNode line = each.putObject(c.getKey());
                line.put("domain", domainOf.get(c.getKey()));
                ArrayNode values = line.putArray("values");
                for (Integer r : rounds.keySet()) {
                    Double v = c.getValue().get(r);
                    if (v == null) {
                        values.addNull();
                    } else {
                        values.add(v);
                    }
                }
            }
        }
        ArrayNode overall = out.putArray("overall");
        ArrayNode saved = out.putArray("computeSaved");
        ArrayNode bytes = out.putArray("bytesSent");
        ArrayNode detections = out.putArray("detections");
        ArrayNode offline = out.putArray("offlineClients");
        ArrayNode epsilon = out.putArray("epsilon");
        ObjectNode memory = out.putObject("memory");
        Map<String, ArrayNode> tiers = new LinkedHashMap<>();
        boolean anyEpsilon = false;
        for (Round r : rounds.values()) {
            // over all clients: the row-weighted accuracy, or the RMSE of all their squared errors; none when
            // domains mix the two
            Agg all = new Agg();
            for (Agg a : r.domains.values()) {
                all.merge(a);
            }
            if (all.weight > 0 && !mixed) {
                overall.add(all.mean());
            } else {
                overall.addNull();
            }
            if (r.expertBatches > 0) {
                saved.add((double) r.idleExpertBatches / r.expertBatches);
            } else {
                saved.addNull();
            }
            bytes.add(r.bytesSent);
            detections.add(r.detections);
            offline.add(r.offline);
            if (Double.isNaN(r.epsilon)) {
                epsilon.addNull();
            } else {
                epsilon.add(r.epsilon);
                anyEpsilon = true;
            }
            for (String tier : r.memorySum.keySet()) {
                tiers.computeIfAbsent(tier, t -> memory.putArray(t));
            }
        }
        for (Map.Entry<String, ArrayNode> t : tiers.entrySet()) {
            for (Round r : rounds.values()) {
                Double sum = r.memorySum.get(t.getKey());
                if (sum == null || r.memoryClients == 0) {
                    t.getValue().addNull();
                } else {
                    t.getValue().add(sum / r.memoryClients);
                }
            }
        }
        if (!anyEpsilon) {
            out.remove("epsilon");
        }
        // gossip's share of the bytes, from coordinator.jsonl (null for a round it has no line for yet)
        ArrayNode gossip = out.putArray("gossipBytes");
        for (Integer r : rounds.keySet()) {
            JsonNode c = coordinator.get(r);
            number(gossip, c == null ? null : c.path("gossipBytes"));
        }
        // batches each expert was routed to, summed over the clients
        ObjectNode activations = out.putObject("activations");
        TreeSet<String> experts = new TreeSet<>();
        rounds.values().forEach(r -> experts.addAll(r.activations.keySet()));
        for (String e : experts) {
            ArrayNode a = activations.putArray(e);
            for (Round r : rounds.values()) {
                Long n = r.activations.get(e);
                if (n == null) {
                    a.addNull();
                } else {
                    a.add(n);
                }
            }
        }
        ObjectNode detectedBy = out.putObject("detectionsByClient");
        for (Map.Entry<Integer, Round> e : rounds.entrySet()) {
            for (String c : e.getValue().detectedBy) {
                ((ArrayNode) detectedBy.withArray(c)).add(e.getKey());
            }
        }
        ObjectNode health = out.putObject("coordinator");
        ArrayNode hr = health.putArray("rounds");
        ArrayNode hOffline = health.putArray("offline");
        ArrayNode hDropped = health.putArray("dropped");
        ArrayNode hSpread = health.putArray("lossSpread");
        ArrayNode hGossip = health.putArray("gossipBytes");
        ArrayNode hWeightLo = health.putArray("weightLo");
        ArrayNode hWeightHi = health.putArray("weightHi");
        ArrayNode hRejected = health.putArray("insightsRejected");
        ArrayNode left = health.putArray("leftOut");
        Integer converged = null;
        for (Map.Entry<Integer, JsonNode> e : coordinator.entrySet()) {
            JsonNode c = e.getValue();
            hr.add(e.getKey());
            hOffline.add(c.path("offline").size());
            hDropped.add(c.path("dropped").size());
            number(hSpread, c.path("lossSpread"));
            number(hGossip, c.path("gossipBytes"));
            number(hRejected, c.path("insightsRejected"));
            double lo = Double.NaN;
            double hi = Double.NaN;
            for (JsonNode w : c.path("weights")) {
                if (w.isNumber()) {
                    lo = Double.isNaN(lo) ? w.asDouble() : Math.min(lo, w.asDouble());
                    hi = Double.isNaN(hi) ? w.asDouble() : Math.max(hi, w.asDouble());
                }
            }
            number(hWeightLo, Double.isNaN(lo) ? null : lo);
            number(hWeightHi, Double.isNaN(hi) ? null : hi);
            if (converged == null && c.path("converged").asBoolean(false)) {
                converged = e.getKey();
            }
            if (c.path("offline").size() + c.path("dropped").size() > 0) {
                ObjectNode l = left.addObject();
                l.put("round", e.getKey());
                l.set("offline", c.path("offline"));
                l.set("dropped", c.path("dropped"));
            }
        }
        if (converged != null) {
            health.put("convergedAtRound", converged);
        }
        ArrayNode p = out.putArray("problems");
        problems.forEach(p::add);
        return out;
    }

    private static void number(ArrayNode to, JsonNode v) {
        if (v != null && v.isNumber()) {
            to.add(v.asDouble());
        } else {
            to.addNull();
        }
    }

    private static void number(ArrayNode to, Double v) {
        if (v == null) {
            to.addNull();
        } else {
            to.add(v);
        }
    }

    /** One round over all clients that reported it. */
    private static final class Round {
        final Map<String, Agg> domains = new TreeMap<>();
        long expertBatches;
        long idleExpertBatches;
        long bytesSent;
        int detections;
        int offline;
        double epsilon = Double.NaN;
        final Map<String, Double> memorySum = new TreeMap<>();
        int memoryClients;
        final List<String> detectedBy = new ArrayList<>();
        final Map<String, Long> activations = new TreeMap<>();

        void add(String domain, JsonNode m) {
            bytesSent += m.path("bytesSent").asLong(0);
            if (m.path("offline").asBoolean(false)) {
                offline++;
                return;
            }
            long rows = Math.max(1, m.path("scoredRows").asLong(m.path("rows").asLong(1)));
            JsonNode value = metric(m);
            if (value != null) {
                domains.computeIfAbsent(domain, d -> new Agg()).add(value.asDouble(), rows, value == m.get("rmse"));
            }
            m.path("experts").fields().forEachRemaining(e -> activations.merge(e.getKey(), e.getValue().path("active").asLong(0), Long::sum));
            JsonNode routing = m.path("routing");
            expertBatches += routing.path("expertBatches").asLong(0);
            idleExpertBatches += routing.path("idleExpertBatches").asLong(0);
            int d = m.path("driftDetections").asInt(0);
            detections += d;
            if (d > 0) {
                detectedBy.add(m.path("client").asText("?"));
            }
            JsonNode eps = m.path("plugins").path("privacy.epsilon");
            if (eps.isNumber()) {
                epsilon = Double.isNaN(epsilon) ? eps.asDouble() : Math.max(epsilon, eps.asDouble());
            }
            JsonNode memory = m.path("memory");
            if (memory.isObject() && memory.size() > 0) {
                memoryClients++;
                memory.fields().forEachRemaining(e -> memorySum.merge(e.getKey(), e.getValue().asDouble(0), Double::sum));
            }
        }
    }

    /**
     * One domain's clients in one round: lowest and highest, and the mean over their rows: of the accuracy, or for RMSE
     * the root of the mean squared error over all their rows (as summary.json computes it), not a mean of roots.
     */
    private static final class Agg {
        double sum;
        double weight;
        boolean squared;
        double min = Double.POSITIVE_INFINITY;
        double max = Double.NEGATIVE_INFINITY;

        void add(double v, long rows, boolean rmse) {
            squared = rmse;
            sum += (rmse ? v * v : v) * rows;
            weight += rows;
            min = Math.min(min, v);
            max = Math.max(max, v);
        }

        void merge(Agg o) {
            squared = o.squared;
            sum += o.sum;
            weight += o.weight;
        }

        double mean() {
            return squared ? Math.sqrt(sum / weight) : sum / weight;
        }
    }
}
