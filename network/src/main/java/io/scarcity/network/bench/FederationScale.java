package io.scarcity.network.bench;

import io.scarcity.api.ConfigException;
import io.scarcity.network.certs.Certificates;
import io.scarcity.runtime.UserException;
import io.scarcity.runtime.config.ConfigLoader;
import io.scarcity.runtime.config.DomainConfig;
import io.scarcity.runtime.config.LoadedConfig;
import io.scarcity.runtime.config.RunConfig;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * A networked federation at scale against the same clients in one JVM, each side in processes of its own:
 * <ol>
 *   <li>in process: a child JVM ({@code --in-process-heap}) runs every client of the config;</li>
 *   <li>networked: a coordinator child JVM ({@code --coordinator-heap}) with the clients spread over H host
 *       processes ({@code scarcity client --simulate FROM-TO}, {@code --host-heap} each), connected over
 *       loopback gRPC with mutual TLS;</li>
 *   <li>the same networked run with F times the rows per round ({@code batchesPerRound} x F), to show whether
 *       the coordinator's heap grows with the rows.</li>
 * </ol>
 * It prints rows/s, mean and p95 round time, peak heap and the most heap in use after a collection (the
 * coordinator's for networked runs), the bytes on the coordinator's TCP connections per client and round
 * (from the kernel's counters, via {@code ss}), and the ratio networked / in-process rows/s. Same seed, so
 * the in-process and the first networked run compute the same thing (it checks rows and accuracy).
 * <pre>SCARCITY_PLUGINS_DIR=distribution/target/scarcity/plugins java -cp "distribution/target/scarcity/lib/*" \
 *     io.scarcity.network.bench.FederationScale configs/light-1000.yaml --clients 10000 --rounds 3 --hosts 4</pre>
 * A benchmark that prints a table, not a test. Exit codes: 0 measured, 1 a child failed (its stderr's tail is
 * printed and its logs kept), 2 bad arguments.
 */
public final class FederationScale {
    static final String CHILD = "--child";
    private static final Pattern HEAP = Pattern.compile("\\d+[kKmMgG]?");
    private static final int STDERR_TAIL = 40;
    private static final Pattern JUL_TIME = Pattern.compile("^[A-Z][a-z]{2} \\d{1,2}, \\d{4} \\d{1,2}:\\d{2}:\\d{2} [AP]M ");
    private static final String USAGE = """
            Usage: FederationScale CONFIG [options]
              Runs CONFIG's clients in one JVM, then over H host processes connected to a coordinator process with
              mutual TLS on loopback (once as configured, once with F x the rows per round), and prints rows/s,
              round times, heaps and bytes on the wire. Child JVMs use this JVM's class path; set
              SCARCITY_PLUGINS_DIR as for 'scarcity'.
            Options:
              --clients N             clients of the config's only domain (default: as configured)
              --rounds R              rounds (default: as configured)
              --hosts H               host processes (default 4)
              --rows-factor F         rows per round of the third run, as a multiple (default 2; 1 skips that run)
              --set KEY=VALUE         a config override, as 'scarcity run --set' (repeatable)
              --in-process-heap SIZE  -Xmx of the in-process JVM (default 4g)
              --coordinator-heap SIZE -Xmx of the coordinator JVM (default 4g)
              --host-heap SIZE        -Xmx of each host JVM (default 3g)
              --jvm-option OPT        an extra option for every child JVM, e.g. -XX:+UseParallelGC (repeatable)
              --wait SECONDS          how long the coordinator waits for the hosts to take every client (default 600)
            Every run also sets checkpoint.every=0 and coordinator.store.url=memory; networked runs set
            coordinator.minClients to every client (unless --set gives it, e.g. for a config with faults), so that
            a host lost (e.g. out of memory) fails the measurement instead of measuring fewer rows.
            Example:
              SCARCITY_PLUGINS_DIR=distribution/target/scarcity/plugins java -cp "distribution/target/scarcity/lib/*" \\
                io.scarcity.network.bench.FederationScale configs/light-1000.yaml --clients 10000 --rounds 3 --hosts 4
            """;

    private FederationScale() {
    }

    /** The command line, checked. */
    record Options(Path config, Integer clients, Integer rounds, int hosts, int rowsFactor, List<String> sets,
                   String inProcessHeap, String coordinatorHeap, String hostHeap, List<String> jvmOptions, int waitSeconds) {
        static Options parse(String[] args) {
            Path config = null;
            Integer clients = null;
            Integer rounds = null;
            int hosts = 4;
            int factor = 2;
            int wait = 600;
            List<String> sets = new ArrayList<>();
            List<String> jvm = new ArrayList<>();
            String inProcess = "4g";
            String coordinator = "4g";
            String host = "3g";
            for (int i = 0; i < args.length; i++) {
                String a = args[i];
                if (!a.startsWith("--")) {
                    if (config != null) {
                        throw new IllegalArgumentException("one CONFIG only, got " + config + " and " + a);
                    }
                    config = Path.of(a);
                    continue;
                }
                if (i + 1 >= args.length) {
                    throw new IllegalArgumentException(a + " needs a value");
                }
                String v = args[++i];
                switch (a) {
                    case "--clients" -> clients = positive(a, v);
                    case "--rounds" -> rounds = positive(a, v);
                    case "--hosts" -> hosts = positive(a, v);
                    case "--rows-factor" -> factor = positive(a, v);
                    case "--wait" -> wait = positive(a, v);
                    case "--set" -> {
                        if (!v.contains("=")) {
                            throw new IllegalArgumentException("--set " + v + ": expected KEY=VALUE, e.g. --set seed=2");
                        }
                        sets.add(v);
                    }
                    case "--in-process-heap" -> inProcess = heap(a, v);
                    case "--coordinator-heap" -> coordinator = heap(a, v);
                    case "--host-heap" -> host = heap(a, v);
                    case "--jvm-option" -> jvm.add(v);
                    default -> throw new IllegalArgumentException("unknown option " + a);
                }
            }
            if (config == null) {
                throw new IllegalArgumentException("give the CONFIG file, e.g. configs/light-1000.yaml");
            }
            if (!Files.isRegularFile(config)) {
                throw new IllegalArgumentException(config + ": no such file");
            }
            return new Options(config.toAbsolutePath(), clients, rounds, hosts, factor, List.copyOf(sets), inProcess, coordinator,
                    host, List.copyOf(jvm), wait);
        }

        private static int positive(String option, String value) {
            try {
                int n = Integer.parseInt(value);
                if (n > 0) {
                    return n;
                }
            } catch (NumberFormatException e) {
                // reported below
            }
            throw new IllegalArgumentException(option + " " + value + ": expected a whole number >= 1");
        }

        private static String heap(String option, String value) {
            if (!HEAP.matcher(value).matches()) {
                throw new IllegalArgumentException(option + " " + value + ": expected a heap size as for -Xmx, e.g. 4g or 512m");
            }
            return value;
        }

        /** The overrides every run gets: the user's, then clients, rounds, no checkpoints, an in-memory store. */
        List<String> runSets() {
            List<String> all = new ArrayList<>(sets);
            if (clients != null) {
                all.add("domains[0].clients=" + clients);
            }
            if (rounds != null) {
                all.add("rounds=" + rounds);
            }
            all.add("checkpoint.every=0");
            all.add("coordinator.store.url=memory");
            return all;
        }
    }

    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals(CHILD)) {
            ScaleChild.main(List.of(args).subList(1, args.length));
            return;
        }
        if (args.length > 0 && (args[0].equals("--help") || args[0].equals("-h"))) {
            System.out.print(USAGE);
            return;
        }
        Options options;
        List<String> sets;
        List<String> scaledSets;
        RunConfig config;
        Path baseDir;
        try {
            options = Options.parse(args);
            sets = options.runSets();
            LoadedConfig loaded = ConfigLoader.load(options.config(), Map.of(), sets);
            config = loaded.config();
            baseDir = loaded.baseDir().toAbsolutePath();
            if (options.clients() != null && config.domains().size() != 1) {
                throw new IllegalArgumentException("--clients sets the clients of a config with one domain; " + options.config()
                        + " has " + config.domains().size() + " (use --set domains[i].clients=N)");
            }
            if (options.hosts() > config.totalClients()) {
                throw new IllegalArgumentException("--hosts " + options.hosts() + ": more hosts than the " + config.totalClients()
                        + " clients");
            }
            scaledSets = scaled(config, sets, options.rowsFactor());
            ConfigLoader.load(options.config(), Map.of(), scaledSets);
        } catch (IllegalArgumentException | ConfigException | UserException e) {
            System.err.println("FederationScale: " + e.getMessage());
            System.err.println();
            System.err.print(USAGE);
            System.exit(2);
            return;
        }
        Path work = Files.createTempDirectory("scarcity-federation-scale");
        try (Children children = new Children(work, options.jvmOptions())) {
            Runtime.getRuntime().addShutdownHook(new Thread(children::destroyAll));
            Certificates.Authority ca = Certificates.createAuthority(work.resolve("ca"), "federation-scale");
            ca.issueCoordinator(work.resolve("coordinator"), List.of());
            for (int h = 0; h < options.hosts(); h++) {
                ca.issueClient(work.resolve("host-" + h), "host-" + h);
            }
            ScaleMeasurement local = children.inProcess(options, sets);
            Networked remote = children.networked("networked", options, networkedSets(sets, config), config.totalClients(), baseDir);
            Networked scaled = options.rowsFactor() > 1
                    ? children.networked("networked-x" + options.rowsFactor(), options, networkedSets(scaledSets, config),
                            config.totalClients(), baseDir)
                    : null;
            print(System.out, options, config, local, remote, scaled);
        } catch (ChildFailed e) {
            System.err.println("FederationScale: " + e.getMessage());
            System.err.println("(the children's logs and certificates are kept in " + work + ")");
            System.exit(1);
            return;
        }
        deleteTree(work);
    }

    /**
     * A networked run allows no client to be left out: a host that is lost fails it instead of measuring fewer
     * rows (unless {@code --set coordinator.minClients=N} says otherwise, e.g. for a config with faults).
     */
    static List<String> networkedSets(List<String> sets, RunConfig config) {
        List<String> out = new ArrayList<>(sets);
        if (sets.stream().noneMatch(s -> s.startsWith("coordinator.minClients="))) {
            out.add("coordinator.minClients=" + config.totalClients());
        }
        return out;
    }

    /** {@code sets} with every batchesPerRound (the run's and any domain's own) multiplied by {@code factor}. */
    static List<String> scaled(RunConfig config, List<String> sets, int factor) {
        List<String> out = new ArrayList<>(sets);
        if (factor > 1) {
            out.add("batchesPerRound=" + (long) config.batchesPerRound() * factor);
            for (int i = 0; i < config.domains().size(); i++) {
                DomainConfig d = config.domains().get(i);
                if (d.batchesPerRound() != null) {
                    out.add("domains[" + i + "].batchesPerRound=" + (long) d.batchesPerRound() * factor);
                }
            }
        }
        return out;
    }

    /**
     * A networked run: the coordinator's measurement, each host process's CPU time over its whole life and
     * what its GC log says.
     */
    record Networked(ScaleMeasurement coordinator, long[] hostCpuNanos, List<GcLog> hostGc) {
    }

    /**
     * A host JVM's collections, from its {@code -Xlog:gc} file: the most heap in use before and after a pause,
     * the sum of the pauses and how many were full collections.
     */
    record GcLog(long maxBeforeMiB, long maxAfterMiB, double pauseMillis, int fullPauses) {
        private static final Pattern PAUSE = Pattern.compile("Pause (.+?) (\\d+)([KMG])->(\\d+)([KMG])\\(\\d+[KMG]\\) ([\\d.]+)ms");

        static GcLog read(Path file) throws IOException {
            long before = 0;
            long after = 0;
            double pause = 0;
            int full = 0;
            if (!Files.isRegularFile(file)) {
                return new GcLog(-1, -1, -1, -1);
            }
            for (String l : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                var m = PAUSE.matcher(l);
                if (m.find()) {
                    before = Math.max(before, mib(m.group(2), m.group(3)));
                    after = Math.max(after, mib(m.group(4), m.group(5)));
                    pause += Double.parseDouble(m.group(6));
                    full += m.group(1).startsWith("Full") ? 1 : 0;
                }
            }
            return new GcLog(before, after, pause, full);
        }

        private static long mib(String value, String unit) {
            long v = Long.parseLong(value);
            return switch (unit) {
                case "K" -> v / 1024;
                case "G" -> v * 1024;
                default -> v;
            };
        }
    }

    static void print(PrintStream out, Options o, RunConfig config, ScaleMeasurement local, Networked networked,
                      Networked networkedScaled) {
        ScaleMeasurement remote = networked.coordinator();
        ScaleMeasurement scaled = networkedScaled == null ? null : networkedScaled.coordinator();
        int n = config.totalClients();
        var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        out.printf(Locale.ROOT, "FederationScale %s: %s, %,d clients, %d rounds of %d x %d rows per client; %d host processes; %s%n",
                LocalDate.now(), o.config().getFileName(), n, config.rounds(), config.batchesPerRound(), config.batchSize(),
                o.hosts(), "loopback gRPC, mutual TLS");
        out.printf(Locale.ROOT, "machine: %d cores, %.0f GiB; Java %s; heaps: in process -Xmx%s, coordinator -Xmx%s, hosts -Xmx%s each%s%n",
                Runtime.getRuntime().availableProcessors(), os.getTotalMemorySize() / 1073741824.0,
                System.getProperty("java.version"), o.inProcessHeap(), o.coordinatorHeap(), o.hostHeap(),
                o.jvmOptions().isEmpty() ? "" : "; JVM options " + String.join(" ", o.jvmOptions()));
        out.println();
        String head = "%-20s %14s %8s %8s %8s %7s %12s %9s %9s %9s %13s %9s %18s%n";
        String row = "%-20s %,14d %8.1f %8.1f %8.1f %7.1f %,12.0f %,9.0f %,9.0f %,9.0f %,13.0f %,9.0f %18s%n";
        out.printf(Locale.ROOT, head, "run", "rows", "setup s", "run s", "CPU s", "GC s", "rows/s", "round ms", "p95 ms", "peak MiB",
                "after-GC MiB", "live MiB", "wire B/client/rnd");
        line(out, row, "in process", local, n);
        line(out, row, "networked", remote, n);
        if (scaled != null) {
            line(out, row, "networked, " + o.rowsFactor() + "x rows", scaled, n);
        }
        out.println();
        out.printf(Locale.ROOT, "networked / in-process rows/s: %.2f (target >= 0.50); same rows and accuracy: %s%n",
                remote.rowsPerSecond() / local.rowsPerSecond(),
                remote.rows() == local.rows() && remote.correct() == local.correct() ? "yes" : "NO");
        if (scaled != null) {
            out.printf(Locale.ROOT, "coordinator heap at %dx rows / 1x rows: peak %.2f, after GC %.2f, live %.2f (target: independent "
                            + "of rows)%n", o.rowsFactor(), (double) scaled.peakHeap() / remote.peakHeap(),
                    remote.maxAfterGc() > 0 ? (double) scaled.maxAfterGc() / remote.maxAfterGc() : Double.NaN,
                    (double) scaled.liveHeap() / remote.liveHeap());
        }
        if (remote.wireMeasured()) {
            out.printf(Locale.ROOT, "wire per client and round (networked): %,.0f B to the hosts, %,.0f B from them%n",
                    remote.wireSent() / (double) n / remote.roundNanos().length,
                    remote.wireReceived() / (double) n / remote.roundNanos().length);
        }
        out.println("round times, ms: in process " + millis(local) + "; networked " + millis(remote)
                + (scaled == null ? "" : "; " + o.rowsFactor() + "x rows " + millis(scaled)));
        out.println("host processes, whole life (start-up, building clients, rounds), -Xmx" + o.hostHeap() + " each:");
        hosts(out, "networked", networked);
        if (networkedScaled != null) {
            hosts(out, o.rowsFactor() + "x rows", networkedScaled);
        }
        out.print("""
                setup: in process, building the clients; networked, from the coordinator listening until the hosts took
                  every client (their JVM start-up included).
                CPU: the measured JVM's (the coordinator's, networked) over the rounds, all threads, GC and JIT included;
                  GC: its collectors' time over the rounds.
                round ms: from the start of the run (round 1 includes the cold-start welcome) to each round's end;
                  p95 is the nearest rank, so with few rounds the slowest.
                peak: the sum of the heap pools' peaks over the rounds (the coordinator's, networked).
                after-GC: the most heap in use right after a collection during the rounds (old garbage G1 has not
                  reclaimed yet included). live: in use after a full collection once the rounds are over, the engine
                  still open (the clients in process; the coordinator's handles of them, networked).
                wire: bytes on the coordinator's TCP connections over the rounds (TLS records; the kernel's counters,
                  read with ss -ti), per client and round.
                """);
    }

    private static void line(PrintStream out, String format, String name, ScaleMeasurement m, int clients) {
        String wire = m.wireMeasured()
                ? String.format(Locale.ROOT, "%,.0f", (m.wireSent() + m.wireReceived()) / (double) clients / m.roundNanos().length)
                : "-";
        out.printf(Locale.ROOT, format, name, m.rows(), m.setupNanos() / 1e9, m.runNanos() / 1e9, m.cpuNanos() / 1e9,
                m.gcMillis() / 1e3, m.rowsPerSecond(),
                m.meanRoundMillis(), m.p95RoundMillis(), m.peakHeap() / 1048576.0, m.maxAfterGc() / 1048576.0,
                m.liveHeap() / 1048576.0, wire);
    }

    private static String millis(ScaleMeasurement m) {
        return Arrays.stream(m.roundNanos()).mapToObj(t -> String.format(Locale.ROOT, "%.0f", t / 1e6)).collect(Collectors.joining(", "));
    }

    private static void hosts(PrintStream out, String name, Networked n) {
        String cpu = Arrays.stream(n.hostCpuNanos()).mapToObj(t -> t < 0 ? "?" : String.format(Locale.ROOT, "%.1f", t / 1e9))
                .collect(Collectors.joining(" + "));
        String after = n.hostGc().stream().map(g -> Long.toString(g.maxAfterMiB())).collect(Collectors.joining(" / "));
        String before = n.hostGc().stream().map(g -> Long.toString(g.maxBeforeMiB())).collect(Collectors.joining(" / "));
        String pauses = n.hostGc().stream().map(g -> String.format(Locale.ROOT, "%.1f", g.pauseMillis() / 1e3))
                .collect(Collectors.joining(" + "));
        int full = n.hostGc().stream().mapToInt(GcLog::fullPauses).sum();
        out.printf(Locale.ROOT, "  %-12s CPU s %s; GC pauses s %s (%d full); heap MiB before GC max %s, after GC max %s%n", name, cpu,
                pauses, full, before, after);
    }

    private static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> all = Files.walk(dir)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    /** A child process that failed: the message names it and holds its stderr's tail. */
    static final class ChildFailed extends Exception {
        ChildFailed(String message) {
            super(message);
        }
    }

    /** The child JVMs of one invocation: started with this JVM's class path, logs in {@code work}. */
    static final class Children implements AutoCloseable {
        private final Path work;
        private final List<String> jvmOptions;
        private final List<Child> started = new ArrayList<>();

        Children(Path work, List<String> jvmOptions) {
            this.work = work;
            this.jvmOptions = jvmOptions;
        }

        record Child(String name, Process process, Path out, Path err) {
            boolean alive() {
                return process.isAlive();
            }
        }

        private Path gcLog(String run, int host) {
            return work.resolve(run + "-host-" + host + "-gc.log");
        }

        private Child start(String name, String heap, List<String> moreJvmOptions, List<String> mainAndArgs) throws IOException {
            List<String> command = new ArrayList<>();
            command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            command.add("-Xmx" + heap);
            command.addAll(jvmOptions);
            command.addAll(moreJvmOptions);
            command.add("-cp");
            command.add(System.getProperty("java.class.path"));
            command.addAll(mainAndArgs);
            Path out = work.resolve(name + ".out");
            Path err = work.resolve(name + ".err");
            Process p = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
            Child c = new Child(name, p, out, err);
            synchronized (started) {
                started.add(c);
            }
            return c;
        }

        private List<String> self(String role, Path... paths) {
            List<String> args = new ArrayList<>(List.of(FederationScale.class.getName(), CHILD, role));
            for (Path p : paths) {
                args.add(p.toString());
            }
            return args;
        }

        ScaleMeasurement inProcess(Options o, List<String> sets) throws IOException, InterruptedException, ChildFailed {
            List<String> args = self("in-process", o.config());
            args.addAll(sets);
            Child c = start("in-process", o.inProcessHeap(), List.of(), args);
            int code = c.process().waitFor();
            if (code != 0) {
                throw failed(c, "exit code " + code);
            }
            return result(c);
        }

        Networked networked(String name, Options o, List<String> sets, int clients, Path baseDir)
                throws IOException, InterruptedException, ChildFailed {
            List<String> args = self("coordinator", work.resolve("coordinator"));
            args.add(Integer.toString(o.waitSeconds()));
            args.add(o.config().toString());
            args.addAll(sets);
            Child coordinator = start(name + "-coordinator", o.coordinatorHeap(), List.of(), args);
            int port = awaitPort(coordinator);
            List<Child> hosts = new ArrayList<>();
            for (int h = 0; h < o.hosts(); h++) {
                int from = (int) ((long) h * clients / o.hosts());
                int to = (int) ((long) (h + 1) * clients / o.hosts()) - 1;
                Path state = work.resolve(name + "-state-" + h);
                hosts.add(start(name + "-host-" + h, o.hostHeap(), List.of("-Xlog:gc:file=" + gcLog(name, h)), List.of("io.scarcity.runtime.cli.Main", "client",
                        "--coordinator", "127.0.0.1:" + port, "--simulate", from + "-" + to,
                        "--tls-dir", work.resolve("host-" + h).toString(), "--state-dir", state.toString(),
                        "--data-dir", baseDir.toString(), "--name", "host-" + h)));
            }
            long[] hostCpu = new long[hosts.size()];
            Arrays.fill(hostCpu, -1);
            while (coordinator.alive()) {
                sampleCpu(hosts, hostCpu);
                for (Child h : hosts) {
                    // a host ends by itself once the coordinator says Bye, which may be before the coordinator's JVM exits
                    if (!h.alive() && h.process().exitValue() != 0 && !printedResult(coordinator)) {
                        throw failed(h, "exited with code " + h.process().exitValue() + " before the run ended");
                    }
                }
                Thread.sleep(200);
            }
            int code = coordinator.process().exitValue();
            if (code != 0) {
                throw failed(coordinator, "exit code " + code);
            }
            ScaleMeasurement m = result(coordinator);
            sampleCpu(hosts, hostCpu);
            long deadline = System.nanoTime() + 60_000_000_000L;
            for (Child h : hosts) {
                if (!h.process().waitFor(Math.max(0, deadline - System.nanoTime()), java.util.concurrent.TimeUnit.NANOSECONDS)) {
                    System.err.println("FederationScale: " + h.name() + " did not stop within 60 s of the run's end; stopped it");
                    h.process().destroyForcibly();
                } else if (h.process().exitValue() != 0) {
                    System.err.println("FederationScale: " + h.name() + " ended with exit code " + h.process().exitValue()
                            + " after the run (log: " + h.err() + ")");
                }
            }
            List<GcLog> gc = new ArrayList<>();
            for (int h = 0; h < hosts.size(); h++) {
                gc.add(GcLog.read(gcLog(name, h)));
            }
            return new Networked(m, hostCpu, gc);
        }

        /** Keeps each live host's CPU time so far (the last sample before it ends is its total, near enough). */
        private static void sampleCpu(List<Child> hosts, long[] cpu) {
            for (int i = 0; i < hosts.size(); i++) {
                var d = hosts.get(i).process().info().totalCpuDuration();
                if (d.isPresent()) {
                    cpu[i] = d.get().toNanos();
                }
            }
        }

        private int awaitPort(Child coordinator) throws IOException, InterruptedException, ChildFailed {
            long deadline = System.nanoTime() + 120_000_000_000L;
            while (System.nanoTime() < deadline) {
                for (String l : Files.readAllLines(coordinator.out(), StandardCharsets.UTF_8)) {
                    if (l.startsWith(ScaleChild.LISTENING + " ")) {
                        return Integer.parseInt(l.substring(ScaleChild.LISTENING.length() + 1).trim());
                    }
                }
                if (!coordinator.alive()) {
                    throw failed(coordinator, "exit code " + coordinator.process().exitValue() + " before it listened");
                }
                Thread.sleep(50);
            }
            throw failed(coordinator, "not listening after 120 s");
        }

        private static boolean printedResult(Child c) throws IOException {
            return Files.readAllLines(c.out(), StandardCharsets.UTF_8).stream().anyMatch(l -> l.startsWith(ScaleMeasurement.PREFIX));
        }

        private ScaleMeasurement result(Child c) throws IOException, ChildFailed {
            ScaleMeasurement m = ScaleMeasurement.find(Files.readAllLines(c.out(), StandardCharsets.UTF_8));
            if (m == null) {
                throw failed(c, "it printed no " + ScaleMeasurement.PREFIX + " line");
            }
            return m;
        }

        private ChildFailed failed(Child c, String why) throws IOException {
            destroyAll();
            List<String> lines = withoutInfo(Files.readAllLines(c.err(), StandardCharsets.UTF_8));
            List<String> tail = lines.subList(Math.max(0, lines.size() - STDERR_TAIL), lines.size());
            return new ChildFailed(c.name() + " failed (" + why + "); the last " + tail.size() + " lines of its stderr ("
                    + c.err() + "):\n" + String.join("\n", tail));
        }

        /** The lines without java.util.logging's INFO records (a time line, then "INFO: ..."): plugin loading says a lot. */
        static List<String> withoutInfo(List<String> lines) {
            List<String> out = new ArrayList<>();
            for (int i = 0; i < lines.size(); i++) {
                if (i + 1 < lines.size() && lines.get(i + 1).startsWith("INFO: ") && JUL_TIME.matcher(lines.get(i)).find()) {
                    i++;
                } else if (!lines.get(i).startsWith("INFO: ")) {
                    out.add(lines.get(i));
                }
            }
            return out;
        }

        void destroyAll() {
            List<Child> all;
            synchronized (started) {
                all = List.copyOf(started);
            }
            for (Child c : all) {
                if (c.alive()) {
                    c.process().destroyForcibly();
                }
            }
        }

        @Override
        public void close() {
            destroyAll();
        }
    }
}
