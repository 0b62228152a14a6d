package io.scarcity.dashboard;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.scarcity.runtime.UserException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The dashboard's web server, on the JDK's own HTTP server: the page and its scripts (from this jar), and a JSON API over
 * the runs and configs folders. Nothing else is served: static files come from a fixed list in the jar, run data only
 * from sub-folders of the runs folder that {@link RunFolders} resolves, configs only from under the configs folder.
 * Requests must name this server as their host (no DNS rebinding), and requests that change something (POST) must be
 * JSON from this page's own origin (no cross-site requests). Every handler turns a failure into a JSON error for the page;
 * a request never stops the server.
 */
public final class DashboardServer implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(DashboardServer.class.getName());
    private static final String WEB = "/io/scarcity/dashboard/web/";
    private static final Map<String, String> STATIC = Map.of(
            "app.js", "text/javascript; charset=utf-8",
            "charts.js", "text/javascript; charset=utf-8",
            "app.css", "text/css; charset=utf-8",
            "vendor/uPlot.iife.min.js", "text/javascript; charset=utf-8",
            "vendor/uPlot.min.css", "text/css; charset=utf-8",
            "vendor/uPlot.LICENSE.txt", "text/plain; charset=utf-8");
    private static final int MAX_BODY = 64 * 1024;

    private final HttpServer server;
    private final ExecutorService pool;
    private final RunFolders runs;
    private final ConfigFiles configs;
    private final Launcher launcher;
    private final ObjectNode plugins;
    private final ObjectMapper json = new ObjectMapper();
    private final boolean loopback;
    private final String token;
    private volatile boolean closing;

    /**
     * Binds {@code bind:port} (port 0: any free one) and starts serving.
     *
     * @throws UserException if the address cannot be bound (in use, not this machine's)
     */
    public DashboardServer(Path runsDir, Path configsDir, String bind, int port, List<Path> pluginSources, ObjectNode plugins) {
        this.runs = new RunFolders(runsDir);
        this.configs = new ConfigFiles(configsDir);
        this.launcher = new Launcher(runs, pluginSources == null ? List.of() : pluginSources);
        this.plugins = plugins;
        byte[] secret = new byte[24];
        new java.security.SecureRandom().nextBytes(secret);
        this.token = java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
        InetAddress address;
        try {
            address = InetAddress.getByName(bind);
        } catch (IOException e) {
            throw new UserException("--bind " + bind + ": not an address of this machine; use 127.0.0.1 (the default) or an"
                    + " address of one of its interfaces");
        }
        this.loopback = address.isLoopbackAddress();
        try {
            server = HttpServer.create(new InetSocketAddress(address, port), 64);
        } catch (BindException e) {
            if (String.valueOf(e.getMessage()).contains("assign")) {
                throw new UserException("--bind " + bind + ": not an address of this machine (" + e.getMessage() + "); use 127.0.0.1 "
                        + "(the default) or an address of one of its interfaces");
            }
            throw new UserException("cannot listen on " + bind + ":" + port + " (" + e.getMessage() + "): another program (another"
                    + " dashboard?) uses the port; choose another with --port, e.g. --port " + (port == 8080 ? 8081 : 8080));
        } catch (IOException e) {
            throw new UserException("cannot listen on " + bind + ":" + port + ": " + e.getMessage());
        }
        pool = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "dashboard-http");
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(pool);
        server.createContext("/", this::handle);
        server.start();
    }

    /** Builds the plugin list for the page's controls from a loaded registry. */
    public static ObjectNode pluginList(io.scarcity.runtime.plugin.PluginRegistry registry) {
        ObjectNode out = new ObjectMapper().createObjectNode();
        for (io.scarcity.runtime.plugin.InstalledPlugin p : registry.all()) {
            out.withArray(p.kind().label()).add(p.name());
        }
        return out;
    }

    public int port() {
        return server.getAddress().getPort();
    }

    /**
     * The secret of this start. The page is opened once at {@code /?token=TOKEN} (the address the command prints); its
     * script keeps the token in the browser's storage for this origin (scheme, host and port: a server of another user on
     * another port of this machine cannot read it, as it could a cookie) and sends it with every API request, as the
     * {@code X-Scarcity-Token} header (or a {@code token} parameter for the live stream, which cannot carry headers).
     * Other users of the machine can reach a loopback port, but not this.
     */
    public String token() {
        return token;
    }

    /** The address to open: the page with this start's token. */
    public String url(String host) {
        return "http://" + host + ":" + port() + "/?token=" + token;
    }

    /** Whether the request carries this start's token (compared in constant time). */
    private boolean authorised(HttpExchange ex) {
        String given = ex.getRequestHeaders().getFirst("X-Scarcity-Token");
        if (given == null && ex.getRequestURI().getRawPath().endsWith("/events")) {
            given = query(ex).get("token");
        }
        return given != null && java.security.MessageDigest.isEqual(token.getBytes(StandardCharsets.US_ASCII),
                given.getBytes(StandardCharsets.UTF_8));
    }

    public RunFolders runs() {
        return runs;
    }

    Launcher launcher() {
        return launcher;
    }

    @Override
    public void close() {
        closing = true;
        server.stop(0);
        pool.shutdownNow();
    }

    private void handle(HttpExchange ex) throws IOException {
        try {
            if (!hostAllowed(ex)) {
                error(ex, 403, "this server answers only requests addressed to it by its own name (localhost or its address)");
                return;
            }
            String path = ex.getRequestURI().getRawPath();
            String method = ex.getRequestMethod();
            if (method.equals("POST") && !postAllowed(ex)) {
                error(ex, 403, "changes are accepted only as JSON from the dashboard's own page");
                return;
            }
            route(ex, method, path);
        } catch (RuntimeException | IOException e) {
            LOG.log(Level.WARNING, "request " + ex.getRequestURI() + " failed", e);
            try {
                error(ex, 500, "the request failed: " + e.getMessage());
            } catch (IOException | RuntimeException ignored) {
                // the client went away
            }
        } finally {
            ex.close();
        }
    }

    private void route(HttpExchange ex, String method, String path) throws IOException {
        if (method.equals("GET") && (path.equals("/") || path.equals("/index.html"))) {
            // the page holds no data: its script takes the token from the address (and then removes it from there)
            resource(ex, "index.html", "text/html; charset=utf-8");
            return;
        }
        if (method.equals("GET") && path.startsWith("/static/")) {
            String name = path.substring("/static/".length());
            String type = STATIC.get(name);
            if (type == null) {
                error(ex, 404, "no such file");
                return;
            }
            resource(ex, name, type);
            return;
        }
        List<String> parts = List.of(path.split("/"));
        if (parts.size() < 3 || !parts.get(1).equals("api")) {
            error(ex, 404, "no such page: " + path);
            return;
        }
        if (!authorised(ex)) {
            error(ex, 401, "no token, or not this start's: open the address scarcity dashboard printed when it started (it ends"
                    + " with ?token=...)");
            return;
        }
        String what = parts.get(2);
        switch (what) {
            case "runs" -> runsApi(ex, method, parts);
            case "configs" -> {
                if (!method.equals("GET")) {
                    error(ex, 405, "GET only");
                } else if (!Files.isDirectory(configs.root())) {
                    send(ex, 200, json.createArrayNode());
                } else {
                    send(ex, 200, configs.list());
                }
            }
            case "config" -> {
                Optional<Path> file = configs.resolve(query(ex).get("path"));
                if (file.isEmpty()) {
                    error(ex, 404, "no such config under " + configs.root());
                } else {
                    send(ex, 200, configs.describe(file.get()));
                }
            }
            case "plugins" -> send(ex, 200, plugins == null ? json.createObjectNode() : plugins);
            case "jobs" -> {
                if (parts.size() == 4) {
                    Launcher.Job job = launcher.job(parts.get(3));
                    if (job == null) {
                        error(ex, 404, "no such job");
                    } else {
                        send(ex, 200, job.describe(json));
                    }
                } else {
                    send(ex, 200, launcher.jobs());
                }
            }
            case "validate", "launch" -> {
                if (!method.equals("POST")) {
                    error(ex, 405, "POST only");
                    return;
                }
                launchApi(ex, what.equals("launch"));
            }
            case "info" -> {
                ObjectNode n = json.createObjectNode();
                n.put("runs", runs.root().toString());
                n.put("configs", configs.root().toString());
                n.put("runsReadable", Files.isReadable(runs.root()));
                send(ex, 200, n);
            }
            default -> error(ex, 404, "no such API: " + path);
        }
    }

    private void runsApi(HttpExchange ex, String method, List<String> parts) throws IOException {
        if (parts.size() == 3) {
            if (!Files.isDirectory(runs.root()) || !Files.isReadable(runs.root())) {
                error(ex, 500, "the runs folder " + runs.root() + " cannot be read; check it exists and is readable");
                return;
            }
            send(ex, 200, runs.list());
            return;
        }
        Optional<Path> dir = runs.resolve(URLDecoder.decode(parts.get(3), StandardCharsets.UTF_8));
        if (dir.isEmpty() || RunFolders.kind(dir.get()) == null) {
            error(ex, 404, "no run or bench result named '" + parts.get(3) + "' in " + runs.root());
            return;
        }
        String id = dir.get().getFileName().toString();
        String action = parts.size() > 4 ? parts.get(4) : "";
        switch (method + " " + action) {
            case "GET " -> send(ex, 200, detail(dir.get()));
            case "GET events" -> events(ex, dir.get());
            case "GET log" -> {
                int lines = Math.max(1, Math.min(2000, parseInt(query(ex).get("lines"), 200)));
                ArrayNode out = json.createArrayNode();
                new LineTail(dir.get().resolve("run.log")).last(lines, 1 << 20).forEach(out::add);
                send(ex, 200, out);
            }
            case "POST stop" -> {
                boolean stopped;
                try {
                    stopped = launcher.stop(id, dir.get(), 30);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    stopped = false;
                }
                if (!stopped) {
                    error(ex, 409, id + " is not running");
                } else {
                    send(ex, 200, runs.describe(dir.get()));
                }
            }
            case "POST resume" -> {
                ObjectNode d = runs.describe(dir.get());
                if (!d.path("resumable").asBoolean()) {
                    error(ex, 409, id + " cannot be resumed: it is " + d.path("status").asText()
                            + (d.path("status").asText().equals("completed") || d.path("status").asText().equals("running") ? ""
                            : " and has no checkpoint (checkpoint.every: 0, or it stopped before its first one)"));
                    return;
                }
                String config = RunFolders.readText(dir.get().resolve("config.yaml"));
                JsonNode tree = null;
                try {
                    tree = config == null ? null : ConfigFiles.YAML.readTree(config);
                } catch (IOException | RuntimeException e) {
                    tree = null;
                }
                String unsafe = Overrides.resumeRefusal(tree, configs.root());
                if (unsafe != null) {
                    // a resume runs the folder's own config as written
                    error(ex, 409, id + " is not resumed from the page: " + unsafe + "; resume it in a terminal (scarcity run"
                            + " --resume) if you trust that folder");
                    return;
                }
                List<Path> recorded = io.scarcity.runtime.run.PluginSources.recorded(dir.get());
                List<Path> known = new java.util.ArrayList<>(launcher.plugins());
                String shipped = System.getenv("SCARCITY_PLUGINS_DIR");
                if (shipped != null && !shipped.isBlank()) {
                    known.add(Path.of(shipped));
                }
                List<Path> foreign = recorded.stream().filter(p -> known.stream().noneMatch(k -> p.toAbsolutePath().normalize()
                        .startsWith(k.toAbsolutePath().normalize()))).toList();
                if (!foreign.isEmpty()) {
                    // a resume loads the plugins its folder names: from the page, only those the dashboard was given
                    error(ex, 409, id + " loaded plugins from " + foreign + ", which this dashboard was not given: resume it in a"
                            + " terminal (scarcity run --resume), or start the dashboard with --plugins for them");
                    return;
                }
                try {
                    Launcher.Job job = launcher.resume(id, dir.get());
                    send(ex, 200, job.describe(json));
                } catch (IllegalStateException e) {
                    error(ex, 409, e.getMessage());
                }
            }
            default -> error(ex, 404, "no such API: " + String.join("/", parts));
        }
    }

    /** Everything the run page shows at first: its line of the table, summary, config, charts, bench results. */
    private ObjectNode detail(Path dir) throws IOException {
        ObjectNode n = runs.describe(dir);
        JsonNode summary = RunFolders.readJson(dir.resolve("summary.json"));
        if (summary != null) {
            n.set("summary", summary);
        }
        String config = RunFolders.readText(dir.resolve("config.yaml"));
        if (config != null) {
            n.put("config", config);
        }
        if ("bench".equals(n.path("kind").asText())) {
            JsonNode results = RunFolders.readJson(dir.resolve("results.json"));
            if (results != null) {
                n.set("results", results);
            }
        } else {
            RunSeries series = new RunSeries(dir);
            series.refresh();
            n.set("series", series.snapshot());
            ObjectNode federation = FederationView.read(dir);
            if (federation != null) {
                n.set("federation", federation);
            }
        }
        return n;
    }

    /**
     * Server-sent events for one run until the page goes away: {@code series} when new rounds arrive, {@code log} with
     * run.log's new lines, {@code status} when the status changes, {@code federation} when a networked run's hosts do; a comment line every 15 s keeps the stream open.
     */
    private void events(HttpExchange ex, Path dir) throws IOException {
        ex.getResponseHeaders().set("Content-Type", "text/event-stream; charset=utf-8");
        ex.getResponseHeaders().set("Cache-Control", "no-store");
        ex.sendResponseHeaders(200, 0);
        OutputStream out = ex.getResponseBody();
        RunSeries series = new RunSeries(dir);
        LineTail log = new LineTail(dir.resolve("run.log"));
        String lastStatus = null;
        FederationView federationView = new FederationView(dir);
        long nextFederation = 0;
        long lastBeat = System.nanoTime();
        boolean first = true;
        try {
            List<String> initial = log.last(200, 1 << 20);
            event(out, "log", json.valueToTree(initial));
            while (!closing) {
                boolean changed = series.refresh();
                if (changed || first) {
                    event(out, "series", series.snapshot());
                }
                List<String> lines = log.read(1 << 20);
                if (!lines.isEmpty()) {
                    event(out, "log", json.valueToTree(lines));
                }
                ObjectNode d = runs.describe(dir);
                String status = d.path("status").asText();
                if (!status.equals(lastStatus)) {
                    event(out, "status", d);
                    lastStatus = status;
                }
                if (System.nanoTime() >= nextFederation) {
                    // a networked run's hosts (the new lines of audit.jsonl and run.log), every 2 s
                    if (federationView.refresh() && federationView.snapshot() != null) {
                        event(out, "federation", federationView.snapshot());
                    }
                    nextFederation = System.nanoTime() + 2_000_000_000L;
                }
                if (!Files.isDirectory(dir)) {
                    event(out, "status", json.createObjectNode().put("id", dir.getFileName().toString()).put("status", "deleted"));
                    return;
                }
                if (System.nanoTime() - lastBeat > 15_000_000_000L) {
                    out.write(": keep-alive\n\n".getBytes(StandardCharsets.UTF_8));
                    out.flush();
                    lastBeat = System.nanoTime();
                }
                first = false;
                Thread.sleep(500);
            }
        } catch (IOException e) {
            // the page closed the stream
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void event(OutputStream out, String name, JsonNode data) throws IOException {
        out.write(("event: " + name + "\ndata: " + json.writeValueAsString(data) + "\n\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    /** POST /api/validate and /api/launch: {@code {"config": "quickstart.yaml", "sets": {"rounds": "10", ...}}}. */
    private void launchApi(HttpExchange ex, boolean launch) throws IOException {
        JsonNode body;
        try (InputStream in = ex.getRequestBody()) {
            byte[] bytes = in.readNBytes(MAX_BODY + 1);
            if (bytes.length > MAX_BODY) {
                error(ex, 413, "the request is larger than " + MAX_BODY + " bytes");
                return;
            }
            body = json.readTree(bytes);
        } catch (IOException e) {
            error(ex, 400, "the request is not JSON");
            return;
        }
        if (body == null || !body.path("config").isTextual()) {
            error(ex, 400, "give the config to start from, e.g. {\"config\": \"quickstart.yaml\"}");
            return;
        }
        Optional<Path> config = configs.resolve(body.get("config").asText());
        if (config.isEmpty()) {
            error(ex, 404, "no config '" + body.get("config").asText() + "' under " + configs.root());
            return;
        }
        Map<String, String> sets = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = body.path("sets").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String value = e.getValue().isValueNode() ? e.getValue().asText() : null;
            if (!Launcher.KEY.matcher(e.getKey()).matches() || e.getKey().equals("output.dir")) {
                error(ex, 400, "'" + e.getKey() + "' is not a config key the page may set (a key path such as rounds or"
                        + " domains[0].clients; output.dir is the dashboard's runs folder)");
                return;
            }
            if (value == null || value.isBlank() || value.contains("\n") || value.contains("\r") || value.length() > 8000) {
                error(ex, 400, e.getKey() + ": give a value on one line (e.g. 10), got '" + e.getValue() + "'");
                return;
            }
            String refused = Overrides.refusal(e.getKey(), value);
            if (refused != null) {
                error(ex, 400, refused);
                return;
            }
            sets.put(e.getKey(), value.strip());
        }
        ObjectNode check = launcher.validate(config.get(), sets);
        if (!launch || !check.path("valid").asBoolean()) {
            send(ex, 200, check);
            return;
        }
        Launcher.Job job = launcher.launch(config.get(), sets);
        long until = System.nanoTime() + 60_000_000_000L;
        while (job.runId == null && job.process.isAlive() && System.nanoTime() < until) {
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        ObjectNode r = job.describe(json);
        r.put("valid", true);
        r.put("validation", check.path("output").asText());
        send(ex, 200, r);
    }

    /**
     * Whether the request names this server as its host, so that a page of another site whose name was pointed at this
     * machine (DNS rebinding) is refused: bound to loopback, only localhost, 127.0.0.1 or [::1]; bound elsewhere, an IP
     * address (a rebinding attack needs a name) or one of this machine's own names.
     */
    private boolean hostAllowed(HttpExchange ex) {
        return hostAllowed(ex.getRequestHeaders().getFirst("Host"), loopback);
    }

    static boolean hostAllowed(String host, boolean loopback) {
        if (host == null) {
            return false;
        }
        String name = host.startsWith("[") ? host.substring(0, host.indexOf(']') + 1) : host.replaceFirst(":\\d+$", "");
        name = name.toLowerCase(Locale.ROOT);
        if (name.equals("localhost") || name.equals("127.0.0.1") || name.equals("[::1]")) {
            return true;
        }
        if (loopback) {
            return false;
        }
        if (name.startsWith("[") || name.matches("\\d{1,3}(\\.\\d{1,3}){3}")) {
            return true;
        }
        return machineNames().contains(name);
    }

    private static java.util.Set<String> machineNames() {
        java.util.Set<String> names = new java.util.HashSet<>();
        try {
            InetAddress self = InetAddress.getLocalHost();
            names.add(self.getHostName().toLowerCase(Locale.ROOT));
            names.add(self.getCanonicalHostName().toLowerCase(Locale.ROOT));
        } catch (IOException e) {
            // only addresses, then
        }
        return names;
    }

    private static boolean postAllowed(HttpExchange ex) {
        String type = ex.getRequestHeaders().getFirst("Content-Type");
        if (type == null || !type.toLowerCase(Locale.ROOT).startsWith("application/json")) {
            return false;
        }
        String origin = ex.getRequestHeaders().getFirst("Origin");
        if (origin == null) {
            return true;
        }
        try {
            URI o = URI.create(origin);
            String host = ex.getRequestHeaders().getFirst("Host");
            return host != null && (o.getHost() + (o.getPort() < 0 ? "" : ":" + o.getPort())).equalsIgnoreCase(host);
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private static Map<String, String> query(HttpExchange ex) {
        Map<String, String> q = new LinkedHashMap<>();
        String raw = ex.getRequestURI().getRawQuery();
        if (raw == null) {
            return q;
        }
        for (String pair : raw.split("&")) {
            int eq = pair.indexOf('=');
            if (eq > 0) {
                q.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8), URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
            }
        }
        return q;
    }

    private static int parseInt(String s, int otherwise) {
        try {
            return s == null ? otherwise : Integer.parseInt(s);
        } catch (NumberFormatException e) {
            return otherwise;
        }
    }

    private void resource(HttpExchange ex, String name, String type) throws IOException {
        try (InputStream in = DashboardServer.class.getResourceAsStream(WEB + name)) {
            if (in == null) {
                error(ex, 404, "not in this build: " + name);
                return;
            }
            byte[] bytes = in.readAllBytes();
            ex.getResponseHeaders().set("Content-Type", type);
            ex.getResponseHeaders().set("X-Content-Type-Options", "nosniff");
            ex.getResponseHeaders().set("Cache-Control", "no-store");
            // scripts and everything else only from this server; no framing by other sites; no token in referrers
            ex.getResponseHeaders().set("Content-Security-Policy",
                    "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; frame-ancestors 'none'");
            ex.getResponseHeaders().set("Referrer-Policy", "no-referrer");
            ex.sendResponseHeaders(200, bytes.length);
            ex.getResponseBody().write(bytes);
        }
    }

    private void send(HttpExchange ex, int code, JsonNode body) throws IOException {
        byte[] bytes = json.writeValueAsBytes(body);
        ex.getResponseHeaders().set("Content-Type", "application/json; charset=utf-8");
        ex.getResponseHeaders().set("Cache-Control", "no-store");
        ex.sendResponseHeaders(code, bytes.length);
        ex.getResponseBody().write(bytes);
    }

    private void error(HttpExchange ex, int code, String message) throws IOException {
        ObjectNode n = json.createObjectNode();
        n.put("error", message);
        send(ex, code, n);
    }
}
