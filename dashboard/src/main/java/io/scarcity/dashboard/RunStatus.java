package io.scarcity.dashboard;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Whether a run is going on, read without touching it: a running process holds its folder's {@code .lock} and has
 * written its process id into it (see the runtime's RunLock). The dashboard never takes the lock itself, so looking
 * cannot make a run or a resume fail to start.
 */
final class RunStatus {
    private RunStatus() {
    }

    /** Whether the process whose id the folder's {@code .lock} holds is alive. */
    static boolean alive(Path dir) {
        Path lock = dir.resolve(".lock");
        try {
            if (!Files.isRegularFile(lock)) {
                return false;
            }
            String text = Files.readString(lock, StandardCharsets.UTF_8).trim();
            if (text.isEmpty()) {
                return false;
            }
            long pid = Long.parseLong(text.split("\\s+")[0]);
            return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /**
     * {@code running}, or summary.json's status ({@code completed}, {@code interrupted}, {@code failed}), or
     * {@code interrupted} for a run that stopped without one (killed).
     */
    static String of(Path dir, JsonNode summary) {
        if (alive(dir)) {
            return "running";
        }
        if (summary != null && summary.path("status").isTextual()) {
            return summary.get("status").asText();
        }
        return "interrupted";
    }

    /** Whether {@code scarcity run --resume} can continue it: not running, not completed, with a checkpoint. */
    static boolean resumable(Path dir, JsonNode summary) {
        String status = of(dir, summary);
        if (status.equals("running") || status.equals("completed")) {
            return false;
        }
        try (var s = Files.list(dir.resolve("checkpoints"))) {
            return s.anyMatch(p -> p.getFileName().toString().startsWith("round-"));
        } catch (IOException e) {
            return false;
        }
    }
}
