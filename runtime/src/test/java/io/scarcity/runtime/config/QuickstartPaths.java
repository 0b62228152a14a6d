package io.scarcity.runtime.config;

import java.nio.file.Files;
import java.nio.file.Path;

/** Finds the repository's configs/ folder from a module's working directory. */
public final class QuickstartPaths {
    private QuickstartPaths() {
    }

    public static Path configs() {
        Path p = Path.of("").toAbsolutePath();
        while (p != null && !Files.isDirectory(p.resolve("configs"))) {
            p = p.getParent();
        }
        if (p == null) {
            throw new IllegalStateException("configs/ not found above " + Path.of("").toAbsolutePath());
        }
        return p.resolve("configs");
    }

    public static Path quickstart() {
        return configs().resolve("quickstart.yaml");
    }
}
