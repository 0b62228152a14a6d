package io.scarcity.dashboard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.scarcity.runtime.UserException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The server without a browser: what it lists, what it refuses to serve, and how it answers bad requests. */
class DashboardServerTest {
    @TempDir
    Path root;
    Path runs;
    Path configs;
    DashboardServer server;
    final ObjectMapper json = new ObjectMapper();

    @BeforeEach
    void start() throws Exception {
        runs = Files.createDirectories(root.resolve("runs"));
        configs = Files.createDirectories(root.resolve("configs"));
        Files.writeString(root.resolve("secret.yaml"), "password: hunter2\n");
        Files.writeString(root.resolve("secret.txt"), "hunter2\n");
        Files.writeString(configs.resolve("small.yaml"), "name: small\nrounds: 3\ndomains:\n  - {name: d, clients: 2, stream: {type: sea}}\n");
        Path run = Files.createDirectories(runs.resolve("small-20261207-100000"));
        Files.writeString(run.resolve("config.yaml"), "name: small\n");
        Files.writeString(run.resolve("metrics.jsonl"), RunSeriesTest.line(1, "d-0", "d", 0.7, 10) + "not json\n");
        Files.writeString(run.resolve("summary.json"), "{\"name\":\"small\",\"status\":\"completed\",\"roundsCompleted\":1,\"roundsPlanned\":1,\"accuracy\":0.7}");
        Path half = Files.createDirectories(runs.resolve("half-20261207-100001"));
        Files.writeString(half.resolve("metrics.jsonl"), "{\"round\":1,\"cli");
        Files.writeString(half.resolve("summary.json"), "{\"name\":\"half\",\"sta");
        Files.createDirectories(runs.resolve("not-a-run"));
        server = new DashboardServer(runs, configs, "127.0.0.1", 0, List.of(), json.createObjectNode());
    }

    @AfterEach
    void stop() {
        server.close();
    }

    record Reply(int code, String body, String type) {
        JsonNode json() throws IOException {
            return new ObjectMapper().readTree(body);
        }
    }

    /** A raw HTTP/1.1 request, so that paths go out exactly as written (no client normalises "../"). */
    Reply raw(String method, String target, Map<String, String> headers, String body) throws IOException {
        try (Socket s = new Socket("127.0.0.1", server.port())) {
            StringBuilder req = new StringBuilder(method + " " + target + " HTTP/1.1\r\n");
            headers.forEach((k, v) -> {
                if (!v.isEmpty()) {
                    req.append(k).append(": ").append(v).append("\r\n");
                }
            });
            if (!headers.containsKey("Host")) {
                req.append("Host: 127.0.0.1:").append(server.port()).append("\r\n");
            }
            if (!headers.containsKey("X-Scarcity-Token")) {
                req.append("X-Scarcity-Token: ").append(server.token()).append("\r\n");
            } else if (headers.get("X-Scarcity-Token").isEmpty()) {
                headers = new java.util.HashMap<>(headers);
                headers.remove("X-Scarcity-Token");
            }
            byte[] b = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
            req.append("Content-Length: ").append(b.length).append("\r\nConnection: close\r\n\r\n");
            OutputStream out = s.getOutputStream();
            out.write(req.toString().getBytes(StandardCharsets.UTF_8));
            out.write(b);
            out.flush();
            InputStream in = s.getInputStream();
            String all = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            int code = Integer.parseInt(all.substring(9, 12));
            int split = all.indexOf("\r\n\r\n");
            String head = all.substring(0, split);
            String type = head.lines().filter(l -> l.toLowerCase().startsWith("content-type:")).findFirst().orElse("");
            String rest = all.substring(split + 4);
            if (head.toLowerCase().contains("transfer-encoding: chunked")) {
                rest = unchunk(rest);
            }
            return new Reply(code, rest, type);
        }
    }

    private static String unchunk(String s) {
        StringBuilder out = new StringBuilder();
        int i = 0;
        while (i < s.length()) {
            int eol = s.indexOf("\r\n", i);
            int n = Integer.parseInt(s.substring(i, eol).trim(), 16);
            if (n == 0) {
                break;
            }
            out.append(s, eol + 2, eol + 2 + n);
            i = eol + 2 + n + 2;
        }
        return out.toString();
    }

    Reply get(String target) throws IOException {
        return raw("GET", target, Map.of(), null);
    }

    @Test
    void listsRunsWithStatusAndToleratesHalfWrittenFiles() throws Exception {
        Reply r = get("/api/runs");
        assertEquals(200, r.code());
        JsonNode list = r.json();
        assertEquals(2, list.size(), "the folder without run files is left out: " + list);
        JsonNode small = null;
        JsonNode half = null;
        for (JsonNode n : list) {
            if (n.get("id").asText().startsWith("small")) {
                small = n;
            } else {
                half = n;
            }
        }
        assertEquals("completed", small.get("status").asText());
        assertEquals(0.7, small.get("accuracy").asDouble(), 1e-12);
        assertEquals("interrupted", half.get("status").asText(), "a summary.json cut short reads as none");
        Reply detail = get("/api/runs/small-20261207-100000");
        assertEquals(200, detail.code());
        JsonNode d = detail.json();
        assertEquals(1, d.get("series").get("rounds").size());
        assertTrue(d.get("series").get("problems").get(0).asText().contains("line 2: not JSON"));
        assertEquals(200, get("/api/runs/half-20261207-100001").code(), "a half-written run is shown, not an error");
    }

    @Test
    void servesNothingOutsideItsFolders() throws Exception {
        for (String target : List.of("/api/runs/..", "/api/runs/../secret.txt", "/api/runs/%2e%2e", "/api/runs/..%2fsecret.txt",
                "/api/runs/%2e%2e%2fconfigs", "/api/runs/small-20261207-100000/../../secret.txt", "/static/../../secret.txt",
                "/static/..%2f..%2fsecret.txt", "/static/app.js/../../../secret.txt", "/../secret.txt",
                "/api/config?path=../secret.yaml", "/api/config?path=%2e%2e/secret.yaml", "/api/config?path=/etc/passwd",
                "/api/config?path=" + root.resolve("secret.yaml"), "/api/runs/not-a-run", "/static/DashboardServer.class",
                "/static/../DashboardServer.class")) {
            Reply r = get(target);
            assertTrue(r.code() == 404 || r.code() == 400, target + " -> " + r.code() + " " + r.body());
            assertFalse(r.body().contains("hunter2"), target);
        }
        Files.createSymbolicLink(runs.resolve("link-out"), root);
        assertEquals(404, get("/api/runs/link-out").code(), "a link out of the runs folder");
        Files.createSymbolicLink(configs.resolve("link.yaml"), root.resolve("secret.yaml"));
        assertEquals(404, get("/api/config?path=link.yaml").code(), "a link out of the configs folder");
        assertEquals(200, get("/api/config?path=small.yaml").code());
        assertEquals("[\"small.yaml\"]", get("/api/configs").body());
    }

    @Test
    void servesThePageAndTheChartLibraryFromTheJar() throws Exception {
        Reply page = get("/");
        assertEquals(200, page.code());
        assertTrue(page.body().contains("/static/vendor/uPlot.iife.min.js"));
        Reply lib = get("/static/vendor/uPlot.iife.min.js");
        assertEquals(200, lib.code());
        assertTrue(lib.body().contains("uPlot"));
        assertTrue(get("/static/vendor/uPlot.LICENSE.txt").body().contains("MIT"), "the licence is served with it");
    }

    @Test
    void refusesForeignHostsAndCrossSiteChanges() throws Exception {
        assertEquals(403, raw("GET", "/api/runs", Map.of("Host", "attacker.example:80"), null).code(), "DNS rebinding");
        String body = "{\"config\":\"small.yaml\"}";
        assertEquals(403, raw("POST", "/api/launch", Map.of("Content-Type", "text/plain"), body).code(), "a form post from another site");
        assertEquals(403, raw("POST", "/api/launch", Map.of("Content-Type", "application/json", "Origin", "http://attacker.example"), body).code());
        assertEquals(0, server.launcher().jobs().size(), "nothing was started");
        assertEquals(400, raw("POST", "/api/validate", Map.of("Content-Type", "application/json"), "{not json").code());
        Reply badKey = raw("POST", "/api/validate", Map.of("Content-Type", "application/json"),
                "{\"config\":\"small.yaml\",\"sets\":{\"output.dir\":\"/tmp\"}}");
        assertEquals(400, badKey.code());
        assertTrue(badKey.json().get("error").asText().contains("output.dir"));
        Reply multiline = raw("POST", "/api/validate", Map.of("Content-Type", "application/json"),
                "{\"config\":\"small.yaml\",\"sets\":{\"rounds\":\"3\\n--plugins=/tmp\"}}");
        assertEquals(400, multiline.code());
        assertEquals(409, raw("POST", "/api/runs/small-20261207-100000/stop", Map.of("Content-Type", "application/json"), "{}").code());
        assertEquals(409, raw("POST", "/api/runs/small-20261207-100000/resume", Map.of("Content-Type", "application/json"), "{}").code(),
                "a completed run is not resumed");
    }

    @Test
    void nothingButThePageAndItsScriptsWithoutThisStartsToken() throws Exception {
        Map<String, String> none = Map.of("X-Scarcity-Token", "");
        assertEquals(401, raw("GET", "/api/runs", none, null).code());
        assertEquals(401, raw("GET", "/api/runs/small-20261207-100000/log", Map.of("X-Scarcity-Token", "wrong"), null).code());
        assertEquals(401, raw("GET", "/api/runs/small-20261207-100000/log?token=" + server.token(), none, null).code(),
                "the token as a parameter only for the live stream");
        assertEquals(401, raw("GET", "/api/runs/small-20261207-100000/events?token=guess", none, null).code());
        assertEquals(401, raw("POST", "/api/launch", Map.of("X-Scarcity-Token", "", "Content-Type", "application/json"),
                "{\"config\":\"small.yaml\"}").code());
        Reply page = raw("GET", "/?token=whatever", none, null);
        assertEquals(200, page.code(), "the page holds no data");
        assertFalse(page.body().contains(server.token()));
        assertEquals(200, raw("GET", "/static/app.js", none, null).code(), "the scripts hold no data");
        assertEquals(0, server.launcher().jobs().size());
    }

    @Test
    void theHostHeaderMustNameThisServer() {
        assertTrue(DashboardServer.hostAllowed("127.0.0.1:8080", true));
        assertTrue(DashboardServer.hostAllowed("localhost:8080", true));
        assertTrue(DashboardServer.hostAllowed("[::1]:8080", true));
        assertFalse(DashboardServer.hostAllowed("attacker.example:8080", true));
        assertFalse(DashboardServer.hostAllowed("10.0.0.5:8080", true), "loopback: loopback names only");
        assertFalse(DashboardServer.hostAllowed(null, true));
        assertTrue(DashboardServer.hostAllowed("10.0.0.5:8080", false), "bound to all: an address cannot be rebound");
        assertTrue(DashboardServer.hostAllowed("[fe80::1]:8080", false));
        assertFalse(DashboardServer.hostAllowed("attacker.example:8080", false), "a name that is not this machine's");
    }

    @Test
    void overridesThatReachFilesAddressesOrSecretsAreRefused() throws Exception {
        for (String set : List.of("{\"domains[0].stream\":\"{type: csv, path: /etc/passwd, label: x}\"}",
                "{\"coordinator.store.url\":\"jdbc:sqlite:pwned.db\"}", "{\"name\":\"../../escape\"}",
                "{\"privacy.audit.key\":\"k.pem\"}", "{\"experts\":\"[{\\\"plugin\\\":\\\"governance\\\",\\\"config\\\":{\\\"file\\\":\\\"x.yaml\\\"}}]\"}",
                "{\"output.progress\":\"lines\"}", "{\"domains[0].stream.base.images\":\"a.gz\"}")) {
            Reply r = raw("POST", "/api/validate", Map.of("Content-Type", "application/json"), "{\"config\":\"small.yaml\",\"sets\":" + set + "}");
            assertEquals(400, r.code(), set + " -> " + r.body());
            assertTrue(r.json().get("error").asText().contains("config file in the configs folder"), r.body());
        }
        // what the second review found: values the loader keeps as text, or reads differently from a lenient parser
        for (String[] kv : List.of(new String[] {"domains[0].stream.path", "{}/../../../../etc/passwd"},
                new String[] {"domains[0].stream", "{} --- /etc/passwd"}, new String[] {"domains[0].stream", "{a: 1, a: 1, /etc/passwd}"},
                new String[] {"domains[0].stream", "{type: csv, \"path\": x.csv}"}, new String[] {"domains[0].stream", "{type: csv, PATH: x}"},
                new String[] {"experts", "[{plugin: governance, config: {File: x.yaml}}]"}, new String[] {"domains[0].stream.base.images", "[a, b]"},
                new String[] {"seed", "!!binary aGVsbG8="}, new String[] {"domains[0].stream", "{/etc/passwd: 1}"},
                new String[] {"Output.dir", "x"}, new String[] {"coordinator.Store.url", "x"})) {
            assertTrue(Overrides.refusal(kv[0], kv[1]) != null, kv[0] + "=" + kv[1] + " must be refused");
        }
        assertEquals(null, Overrides.refusal("experts", "[{\"plugin\":\"statistical\",\"name\":\"s\",\"config\":{\"learningRate\":0.05}}]"));
        assertEquals(null, Overrides.refusal("domains[0].clients", "4"));
        assertEquals(null, Overrides.refusal("domains[0].labels.rate", "0.1"));
        assertEquals(null, Overrides.refusal("federation.mode", "local"));
    }

    @Test
    void aPortInUseIsAUserErrorNamingTheFix() {
        UserException e = assertThrows(UserException.class,
                () -> new DashboardServer(runs, configs, "127.0.0.1", server.port(), List.of(), null));
        assertTrue(e.getMessage().contains("--port"), e.getMessage());
    }

    @Test
    void theLiveStreamSendsTheSeriesAndTheLog() throws Exception {
        Files.writeString(runs.resolve("small-20261207-100000").resolve("run.log"), "first line\n");
        HttpURLConnection c = (HttpURLConnection) URI.create("http://127.0.0.1:" + server.port()
                + "/api/runs/small-20261207-100000/events?token=" + server.token()).toURL().openConnection();
        c.setReadTimeout(10_000);

        try (InputStream in = c.getInputStream()) {
            assertTrue(c.getContentType().startsWith("text/event-stream"));
            StringBuilder seen = new StringBuilder();
            byte[] buf = new byte[8192];
            long until = System.currentTimeMillis() + 10_000;
            while (System.currentTimeMillis() < until && !seen.toString().contains("\"status\":\"completed\"")) {
                int n = in.read(buf);
                if (n < 0) {
                    break;
                }
                seen.append(new String(buf, 0, n, StandardCharsets.UTF_8));
            }
            assertTrue(seen.toString().contains("event: log\ndata: [\"first line\"]"), seen.toString());
            assertTrue(seen.toString().contains("event: series"), seen.toString());
            assertTrue(seen.toString().contains("\"status\":\"completed\""), seen.toString());
        } finally {
            c.disconnect();
        }
    }
}
