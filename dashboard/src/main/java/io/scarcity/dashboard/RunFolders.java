package io.scarcity.dashboard;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The runs folder as the dashboard sees it: each direct sub-folder is a run (it has metrics.jsonl or config.yaml) or a
 * bench result (results.json or bench.log). Only names of direct sub-folders resolve, and only to folders that really
 * lie under the root (no {@code ..}, no separators, no symbolic link out of it): nothing else can be read through it.
 */
final class RunFolders {
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._+-]{0,199}");
    private final Path root;
    private static final ObjectMapper JSON = new ObjectMapper();
    private final ObjectMapper json = JSON;

    RunFolders(Path root) {
        this.root = root.toAbsolutePath().normalize();
    }

    Path root() {
        return root;
    }

    /**
     * The sub-folder named {@code id}, if the name is a plain folder name that resolves to a folder under the root (also
     * after following links); empty otherwise, whatever the reason.
     */
    Optional<Path> resolve(String id) {
        if (id == null || !NAME.matcher(id).matches() || id.contains("..")) {
            return Optional.empty();
        }
        Path dir = root.resolve(id).normalize();
        if (!dir.getParent().equals(root) || !Files.isDirectory(dir) || !reallyUnder(root, dir)) {
            return Optional.empty();
        }
        return Optional.of(dir);
    }

    /** Whether {@code path} lies under {@code root} once every symbolic link on the way is followed. */
    static boolean reallyUnder(Path root, Path path) {
        try {
            return path.toRealPath().startsWith(root.toRealPath());
        } catch (IOException e) {
            return false;
        }
    }

    /** One line of the runs table per sub-folder that is a run or a bench result, the newest first. */
    ArrayNode list() throws IOException {
        List<Path> dirs = new ArrayList<>();
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(root)) {
            for (Path p : stream) {
                if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS) && resolve(p.getFileName().toString()).isPresent()
                        && kind(p) != null) {
                    dirs.add(p);
                }
            }
        }
        dirs.sort(Comparator.comparingLong(RunFolders::modified).reversed().thenComparing(Path::toString));
        ArrayNode out = json.createArrayNode();
        for (Path d : dirs) {
            out.add(describe(d));
        }
        return out;
    }

    /** {@code run}, {@code bench} or null (not something the dashboard shows). */
    static String kind(Path dir) {
        if (Files.exists(dir.resolve("results.json")) || Files.exists(dir.resolve("bench.log"))) {
            return "bench";
        }
        if (Files.exists(dir.resolve("metrics.jsonl")) || Files.exists(dir.resolve("config.yaml"))) {
            return "run";
        }
        return null;
    }

    /** The folder's line in the runs table: id, kind, status, name and headline numbers from summary.json or results.json. */
    ObjectNode describe(Path dir) {
        ObjectNode n = json.createObjectNode();
        String kind = kind(dir);
        n.put("id", dir.getFileName().toString());
        n.put("kind", kind);
        n.put("modified", modified(dir));
        if ("bench".equals(kind)) {
            JsonNode results = readJson(dir.resolve("results.json"));
            boolean live = RunStatus.alive(dir);
            n.put("status", results != null ? "finished" : live ? "running" : "incomplete");
            if (results != null) {
                n.put("name", results.path("suite").asText(dir.getFileName().toString()));
                n.put("methods", results.path("table").size());
                n.set("seeds", results.path("seeds"));
            } else {
                n.put("name", dir.getFileName().toString());
            }
            return n;
        }
        JsonNode summary = readJson(dir.resolve("summary.json"));
        n.put("status", RunStatus.of(dir, summary));
        n.put("name", summary != null ? summary.path("name").asText() : nameFromId(dir.getFileName().toString()));
        if (summary != null) {
            copy(summary, n, "roundsCompleted", "roundsPlanned", "rows", "accuracy", "rmse", "rowsPerSecond");
            if (!n.path("status").asText().equals("running")) {
                // a resumed run still has the summary of its interruption until it ends
                copy(summary, n, "error");
            }
            JsonNode privacy = summary.path("privacy");
            if (privacy.has("maxEpsilonSpent")) {
                n.set("epsilon", privacy.get("maxEpsilonSpent"));
            }
        }
        n.put("resumable", RunStatus.resumable(dir, n.path("status").asText()));
        return n;
    }

    private static void copy(JsonNode from, ObjectNode to, String... keys) {
        for (String k : keys) {
            if (from.has(k) && !from.get(k).isNull()) {
                to.set(k, from.get(k));
            }
        }
    }

    private static String nameFromId(String id) {
        return id.replaceFirst("-\\d{8}-\\d{6}(-\\d+)?$", "");
    }

    /** Whether {@code file} is a regular file itself, not a symbolic link (which could lead out of the run folder). */
    static boolean plainFile(Path file) {
        return Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS);
    }

    /** The text of a plain file (not a link) in a run folder, or null. */
    static String readText(Path file) {
        try (var in = Files.newInputStream(file, java.nio.file.StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
            // opened without following a link, so a file swapped for one after a check is not read either
            return plainFile(file) ? new String(in.readNBytes(64 << 20), StandardCharsets.UTF_8) : null;
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /** The JSON in {@code file}, or null if it is missing, a link, unreadable or not (yet completely) written. */
    static JsonNode readJson(Path file) {
        try {
            String text = readText(file);
            return text == null ? null : JSON.readTree(text);
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    static long modified(Path p) {
        long newest = 0;
        for (String f : new String[] {"", "metrics.jsonl", "summary.json", "results.json", "run.log"}) {
            try {
                Path q = f.isEmpty() ? p : p.resolve(f);
                if (Files.exists(q)) {
                    newest = Math.max(newest, Files.getLastModifiedTime(q).toMillis());
                }
            } catch (IOException ignored) {
                // a file removed meanwhile
            }
        }
        return newest;
    }
}
