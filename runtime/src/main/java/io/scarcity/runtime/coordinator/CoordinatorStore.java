package io.scarcity.runtime.coordinator;

import io.scarcity.runtime.UserException;
import io.scarcity.runtime.config.StoreConfig;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Opens the coordinator's global memory where {@code coordinator.store} says: {@code memory} (this process
 * only), {@code sqlite} (the file {@code coordinator.db} in the run folder), a {@code jdbc:sqlite:} file or
 * a PostgreSQL URL. Shared by every engine that runs a coordinator.
 */
public final class CoordinatorStore {
    private CoordinatorStore() {
    }

    /** Whether the store lives in this process only (nothing to open). */
    public static boolean inProcess(StoreConfig store) {
        return store.url().equals("memory");
    }

    /**
     * Opens the store's global memory, {@code capacityPerDomain} insights per domain.
     *
     * @throws UserException if the database cannot be opened
     */
    public static GlobalMemory open(StoreConfig store, Path runDir, int capacityPerDomain) {
        if (inProcess(store)) {
            return GlobalMemory.inMemory(capacityPerDomain);
        }
        Path file = sqliteFile(store, runDir);
        CoordinatorDatabase db = file != null ? CoordinatorDatabase.sqlite(file)
                : store.schema().isEmpty() ? CoordinatorDatabase.postgresql(store.url(), store.user(), store.password())
                : CoordinatorDatabase.postgresql(store.url(), store.user(), store.password()).inSchema(store.schema());
        try {
            return GlobalMemory.open(db, capacityPerDomain);
        } catch (GlobalMemoryException e) {
            String first = String.valueOf(e.getMessage()).lines().findFirst().orElse("");
            if (file != null) {
                throw new UserException("cannot open the coordinator's database " + file + ": " + first + "; if the file is "
                        + "damaged, restore it from a copy; otherwise check that its folder is writable");
            }
            throw new UserException("cannot open the coordinator's store (coordinator.store.url = " + store.url() + "): "
                    + first + "; check the URL, user and password" + maskedPasswordHint(store));
        }
    }

    /**
     * Checks, without creating anything, that the store can be reached: an SQLite file's folder exists and
     * is writable, a PostgreSQL server accepts the credentials.
     *
     * @throws UserException naming the problem and the key to fix
     */
    public static void check(StoreConfig store) {
        if (store.url().equals("memory") || store.url().equals("sqlite")) {
            return;
        }
        if (store.url().startsWith("jdbc:sqlite:")) {
            Path file = Path.of(store.url().substring("jdbc:sqlite:".length())).toAbsolutePath();
            Path folder = file.getParent();
            if (folder == null || !Files.isDirectory(folder)) {
                throw new UserException("coordinator.store.url: the folder " + folder + " does not exist; create it or choose another file");
            }
            if (!Files.isWritable(folder) || Files.isDirectory(file)) {
                throw new UserException("coordinator.store.url: cannot write " + file
                        + " (a folder, or no write permission there); choose another file");
            }
            return;
        }
        java.sql.DriverManager.setLoginTimeout(10);
        try (java.sql.Connection c = java.sql.DriverManager.getConnection(store.url(), store.user(), store.password())) {
            c.isValid(5);
        } catch (java.sql.SQLException e) {
            String first = String.valueOf(e.getMessage()).lines().findFirst().orElse("");
            throw new UserException("coordinator.store.url: cannot connect to " + store.url() + " as '" + store.user() + "': "
                    + first + "; check the URL, user and password" + maskedPasswordHint(store));
        }
    }

    /**
     * Before a resume opens the store: the SQLite file the run wrote must still be there and whole. Opening a
     * missing, emptied or overwritten file would create a fresh database in its place (and SQLite may drop a
     * write-ahead log that holds the latest insights), so this looks at the file without opening it.
     *
     * @throws UserException naming what is wrong with the file and how to recover; nothing is changed
     */
    public static void checkBeforeResume(StoreConfig store, Path runDir) {
        Path file = sqliteFile(store, runDir);
        if (file == null) {
            return;
        }
        String problem = SqliteFileCheck.problem(file);
        if (problem != null) {
            throw new UserException("the coordinator's database " + file + " " + problem + "; it holds the insights the run "
                    + "accepted, so the run is not resumed (nothing was changed). Restore the file from a copy and resume again,"
                    + " or start the run again with: scarcity run " + runDir.resolve("config.yaml"));
        }
    }

    /** The SQLite file of a store, or null if it is not an SQLite file. */
    private static Path sqliteFile(StoreConfig store, Path runDir) {
        if (store.url().equals("sqlite")) {
            return runDir.resolve("coordinator.db");
        }
        return store.url().startsWith("jdbc:sqlite:") ? Path.of(store.url().substring("jdbc:sqlite:".length())) : null;
    }

    /** A resumed run reads its config.yaml, where a password is masked: say where the real one goes. */
    private static String maskedPasswordHint(StoreConfig store) {
        return "***".equals(store.password())
                ? " (the run's config.yaml masks the password; give it with SCARCITY_COORDINATOR__STORE__PASSWORD)" : "";
    }
}
