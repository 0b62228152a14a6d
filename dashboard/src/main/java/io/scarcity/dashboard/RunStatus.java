package io.scarcity.dashboard;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Whether a run is going on, read without touching it: a running process holds its folder's {@code .lock} and has
 * written its process id and start time into it (see the runtime's RunLock). The dashboard never takes the lock itself, so looking
 * cannot make a run or a resume fail to start.
 */
final class RunStatus {
    private RunStatus() {
    }

    /** Whether the process the folder's {@code .lock} names (by id and start time) is alive. */
    static boolean alive(Path dir) {
        return holder(dir).isPresent();
    }

    /**
     * The process that holds the folder's lock: the id the lock file holds, if a process with that id is alive, started
     * when the lock file says (to the millisecond) and runs Scarcity's command line. A lock file that is a link, empty, or
     * names another process (an id reused after the run ended, or written by hand) names none.
     */
    static Optional<ProcessHandle> holder(Path dir) {
        Path lock = dir.resolve(".lock");
        try {
            if (!Files.isRegularFile(lock, LinkOption.NOFOLLOW_LINKS)) {
                return Optional.empty();
            }
            String[] words = Files.readString(lock, StandardCharsets.UTF_8).trim().split("\\s+");
            if (words.length < 2) {
                return Optional.empty();
            }
            long pid = Long.parseLong(words[0]);
            long started = Long.parseLong(words[1]);
            return ProcessHandle.of(pid).filter(ProcessHandle::isAlive)
                    .filter(p -> p.info().startInstant().map(i -> i.toEpochMilli() == started).orElse(false))
                    // and it is Scarcity's command line: a lock file written by hand cannot name another program
                    .filter(RunStatus::runsScarcity);
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /**
     * Whether the process runs Scarcity's CLI. On Linux from /proc/PID/cmdline, whole: the JDK's view of a command line
     * stops at 4,096 characters, which a long class path (an IDE's, Maven's) passes before the main class.
     */
    private static boolean runsScarcity(ProcessHandle p) {
        String main = io.scarcity.runtime.cli.Main.class.getName();
        Path cmdline = Path.of("/proc", String.valueOf(p.pid()), "cmdline");
        if (Files.isReadable(cmdline)) {
            try {
                return new String(Files.readAllBytes(cmdline), StandardCharsets.UTF_8).replace('\0', ' ').contains(main);
            } catch (IOException e) {
                return false;
            }
        }
        return p.info().commandLine().map(c -> c.contains(main)).orElse(false);
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
    static boolean resumable(Path dir, String status) {
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
