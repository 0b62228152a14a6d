package io.scarcity.runtime.report;

import io.scarcity.runtime.UserException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;

/** The folder a run writes: {@code <dir>/<name>-<yyyyMMdd-HHmmss>[-n]/}. */
public final class RunFolder {
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss");

    private RunFolder() {
    }

    /** Creates a new, empty run folder (never reuses an existing one) for a run ({@code output.dir} chooses where). */
    public static Path create(Path outputDir, String name, Clock clock) {
        return create(outputDir, name, clock, "set output.dir (or --set output.dir=...) to a writable folder");
    }

    /**
     * Creates a new, empty run folder (never reuses an existing one).
     *
     * @param fix how the user chooses another place, for the error
     */
    public static Path create(Path outputDir, String name, Clock clock, String fix) {
        String base = name + "-" + LocalDateTime.now(clock).format(STAMP);
        try {
            Files.createDirectories(outputDir);
            for (int n = 1; ; n++) {
                Path dir = outputDir.resolve(n == 1 ? base : base + "-" + n);
                try {
                    return Files.createDirectory(dir);
                } catch (java.nio.file.FileAlreadyExistsException e) {
                    // another run started in the same second: take the next suffix
                }
            }
        } catch (IOException e) {
            throw new UserException("cannot create the run folder under " + outputDir.toAbsolutePath() + ": "
                    + io.scarcity.runtime.Faults.describe(e)
                    + "; " + fix);
        }
    }
}
