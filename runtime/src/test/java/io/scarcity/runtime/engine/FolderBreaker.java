package io.scarcity.runtime.engine;

import io.scarcity.runtime.client.ClientRoundResult;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A run listener for tests (registered on the test class path, inert unless armed): after a given round
 * it makes the run folder refuse the checkpoint and the summary, as a folder that became read-only or
 * a full disk would. Works as root, where permissions do not stop writes.
 */
public final class FolderBreaker implements RunObserver {
    /** Output folder whose (single) run folder gets broken, and after which round. */
    static volatile Path outputDir;
    static volatile int afterRound;

    static void arm(Path output, int round) {
        outputDir = output;
        afterRound = round;
    }

    static void disarm() {
        outputDir = null;
    }

    @Override
    public void roundCompleted(int round, int total, List<ClientRoundResult> results, RoundExtras extras) {
        Path out = outputDir;
        if (out == null || round != afterRound) {
            return;
        }
        try (var runs = Files.list(out)) {
            Path run = runs.filter(Files::isDirectory).findFirst().orElseThrow();
            Path checkpoints = run.resolve("checkpoints");
            if (Files.exists(checkpoints)) {
                try (var files = Files.walk(checkpoints)) {
                    for (Path p : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                        Files.delete(p);
                    }
                }
            }
            Files.writeString(checkpoints, "a file where the checkpoints folder goes");
            Files.createDirectories(run.resolve("summary.json"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
