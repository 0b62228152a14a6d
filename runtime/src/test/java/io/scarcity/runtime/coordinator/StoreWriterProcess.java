package io.scarcity.runtime.coordinator;

import java.nio.file.Path;

/**
 * A separate coordinator process for the crash and multi-process tests: opens a store, adds insights one
 * at a time and prints {@code accepted ROUND} after each {@code add} has returned, then {@code done}.
 *
 * <p>Arguments: {@code sqlite FILE | postgresql SCHEMA}, capacity, domain, client, first round, count
 * (0: until killed). PostgreSQL's URL, user and password come from the test environment variables.
 */
public final class StoreWriterProcess {
    private StoreWriterProcess() {
    }

    public static void main(String[] args) {
        CoordinatorDatabase database = switch (args[0]) {
            case "sqlite" -> CoordinatorDatabase.sqlite(Path.of(args[1]));
            case "postgresql" -> new CoordinatorDatabase(System.getenv(StoreBackend.PG_URL),
                    System.getenv(StoreBackend.PG_USER), System.getenv(StoreBackend.PG_PASSWORD), args[1]);
            default -> throw new IllegalArgumentException("backend sqlite or postgresql, not " + args[0]);
        };
        int capacity = Integer.parseInt(args[2]);
        String domain = args[3];
        String client = args[4];
        int first = Integer.parseInt(args[5]);
        int count = Integer.parseInt(args[6]);
        try (GlobalMemory memory = GlobalMemory.open(database, capacity)) {
            for (int round = first; count == 0 || round < first + count; round++) {
                memory.add(TestInsights.of(client, domain, round));
                System.out.println("accepted " + round);
                System.out.flush();
            }
        }
        System.out.println("done");
        System.out.flush();
    }

    /** The command line that runs this class in a new JVM with the test class path. */
    static ProcessBuilder command(Path errors, String... args) {
        java.util.List<String> cmd = new java.util.ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(StoreWriterProcess.class.getName());
        cmd.addAll(java.util.List.of(args));
        return new ProcessBuilder(cmd).redirectError(errors.toFile());
    }
}
