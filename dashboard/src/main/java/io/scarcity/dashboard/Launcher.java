package io.scarcity.dashboard;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.scarcity.runtime.cli.Main;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;

/**
 * Starts the CLI's own commands for the page, and nothing else: {@code scarcity validate} (its output is what the page
 * shows), {@code scarcity run CONFIG --set ...} and {@code scarcity run --resume RUN_DIR}, each in a new JVM with this
 * one's class path, environment and {@code --plugins}, writing into the dashboard's runs folder; and stops a run
 * by asking its process to end (SIGTERM: the run writes summary.json as interrupted, and can be resumed from its last
 * checkpoint). Arguments are passed as a list, never through a shell.
 */
final class Launcher {
    /** Override keys the page may send: the config's own key paths, e.g. {@code domains[0].clients}. */
    static final Pattern KEY = Pattern.compile("[A-Za-z][A-Za-z0-9_]*(\\[\\d{1,4}])?(\\.[A-Za-z][A-Za-z0-9_]*(\\[\\d{1,4}])?){0,8}");
    private static final int OUTPUT_LINES = 300;

    private static final int KEPT_JOBS = 50;
    /** Validations at once: each is a JVM. */
    private static final int MAX_CHECKS = 4;
    private final java.util.concurrent.Semaphore checking = new java.util.concurrent.Semaphore(MAX_CHECKS);
    private final java.util.Set<Process> validations = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private static final long VALIDATE_SECONDS = 120;

    private final RunFolders runs;
    private final List<String> javaCommand;
    private final List<Path> plugins;
    private final Map<String, Job> jobs = new ConcurrentHashMap<>();
    private final AtomicInteger ids = new AtomicInteger();
    private final ObjectMapper json = new ObjectMapper();

    Launcher(RunFolders runs, List<Path> plugins) {
        this(runs, defaultJava(), plugins);
    }

    /**
     * @param java    the command that starts the CLI: java, its options, class path and main class
     * @param plugins {@code --plugins} sources given to the dashboard, passed on to every command it starts
     */
    Launcher(RunFolders runs, List<String> java, List<Path> plugins) {
        this.runs = runs;
        this.javaCommand = List.copyOf(java);
        this.plugins = List.copyOf(plugins);
    }

    /** The plugin sources the dashboard was given (beside $SCARCITY_PLUGINS_DIR). */
    List<Path> plugins() {
        return plugins;
    }

    private List<String> pluginArgs() {
        List<String> args = new ArrayList<>();
        for (Path p : plugins) {
            args.add("--plugins");
            args.add(p.toAbsolutePath().toString());
        }
        return args;
    }

    /** This JVM's java, heap and system-property options and class path, running the CLI's main class. */
    static List<String> defaultJava() {
        List<String> cmd = new ArrayList<>();
        cmd.add(ProcessHandle.current().info().command().orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        for (String a : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (a.startsWith("-Xmx") || a.startsWith("-Xss") || a.startsWith("-Dscarcity.") || a.startsWith("--add-opens")) {
                cmd.add(a);
            }
        }
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(Main.class.getName());
        return cmd;
    }

    /**
     * What {@code scarcity validate CONFIG --set ...} says: {@code valid}, {@code exitCode} and its output. It runs in a
     * new JVM, as a launch would, so that a config that asks for much (a million clients) costs the dashboard nothing;
     * one that takes longer than two minutes to check is stopped and reported.
     */
    ObjectNode validate(Path config, Map<String, String> sets) throws IOException {
        List<String> cmd = new ArrayList<>(javaCommand);
        cmd.addAll(List.of("validate", config.toString()));
        cmd.addAll(setArgs(sets));
        cmd.addAll(pluginArgs());
        ObjectNode r = json.createObjectNode();
        if (!checking.tryAcquire()) {
            r.put("valid", false);
            r.put("exitCode", -1);
            r.put("output", "already checking " + MAX_CHECKS + " configs: wait for one of them, then try again");
            return r;
        }
        Process p;
        try {
            p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        } catch (IOException e) {
            checking.release();
            throw e;
        }
        validations.add(p);
        p.onExit().thenRun(() -> {
            validations.remove(p);
            checking.release();
        });
        // read on a thread of its own (not a shared pool that slow checks could fill)
        java.util.concurrent.CompletableFuture<String> output = new java.util.concurrent.CompletableFuture<>();
        Thread reader = new Thread(() -> {
            try (var in = p.getInputStream()) {
                output.complete(new String(in.readNBytes(1 << 20), StandardCharsets.UTF_8));
            } catch (IOException e) {
                output.complete("");
            }
        }, "dashboard-validate");
        reader.setDaemon(true);
        reader.start();
        boolean ended;
        try {
            ended = p.waitFor(VALIDATE_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            ended = false;
        }
        if (!ended) {
            p.destroyForcibly();
            r.put("valid", false);
            r.put("exitCode", -1);
            r.put("output", "checking the config took longer than " + VALIDATE_SECONDS + " s and was stopped; check it in a terminal"
                    + " with scarcity validate");
            return r;
        }
        String text;
        try {
            text = output.get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            text = "";
        }
        r.put("valid", p.exitValue() == 0);
        r.put("exitCode", p.exitValue());
        r.put("output", text.strip());
        return r;
    }

    /** {@code --set KEY=VALUE} for each override, and {@code output.dir} set to the runs folder. */
    List<String> setArgs(Map<String, String> sets) {
        List<String> args = new ArrayList<>();
        for (Map.Entry<String, String> e : sets.entrySet()) {
            args.add("--set");
            args.add(e.getKey() + "=" + e.getValue());
        }
        args.add("--set");
        args.add("output.dir=" + runs.root());
        return args;
    }

    /** Starts {@code scarcity run CONFIG --set ...}; the job learns its run folder from the run's first line. */
    Job launch(Path config, Map<String, String> sets) throws IOException {
        List<String> args = new ArrayList<>(List.of("run", config.toString()));
        args.addAll(setArgs(sets));
        args.addAll(pluginArgs());
        return start(args, null);
    }

    /**
     * Starts {@code scarcity run --resume RUN_DIR}, unless a process runs it already (one resume at a time).
     *
     * @throws IllegalStateException if the run is going on
     */
    synchronized Job resume(String runId, Path runDir) throws IOException {
        if (running(runId) != null || RunStatus.alive(runDir)) {
            throw new IllegalStateException(runId + " is running already");
        }
        List<String> args = new ArrayList<>(List.of("run", "--resume", runDir.toString()));
        args.addAll(pluginArgs());
        return start(args, runId);
    }

    private Job start(List<String> args, String runId) throws IOException {
        List<String> cmd = new ArrayList<>(javaCommand);
        cmd.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        Process p = pb.start();
        Job job = new Job("job-" + ids.incrementAndGet(), p, String.join(" ", args), runId);
        jobs.put(job.key, job);
        forgetOldJobs();
        Thread reader = new Thread(() -> job.read(runs.root()), "dashboard-" + job.key);
        reader.setDaemon(true);
        reader.start();
        return job;
    }

    /** The job that runs or resumes {@code runId}, if this dashboard started it and it is still going. */
    Job running(String runId) {
        for (Job j : jobs.values()) {
            if (runId.equals(j.runId) && j.process.isAlive()) {
                return j;
            }
        }
        return null;
    }

    Job job(String key) {
        return jobs.get(key);
    }

    /** Keeps the {@value #KEPT_JOBS} newest jobs that have ended, and every job still going. */
    private void forgetOldJobs() {
        List<Job> ended = jobs.values().stream().filter(j -> !j.process.isAlive())
                .sorted((a, b) -> Integer.compare(number(b), number(a))).toList();
        for (int i = KEPT_JOBS; i < ended.size(); i++) {
            jobs.remove(ended.get(i).key);
        }
    }

    private static int number(Job j) {
        return Integer.parseInt(j.key.substring(4));
    }

    /**
     * Asks the process running {@code runDir} to stop (this dashboard's job, or the process whose id the folder's lock
     * holds) and waits up to {@code seconds} for it to end. False if no process runs it.
     */
    boolean stop(String runId, Path runDir, long seconds) throws InterruptedException {
        Job j = running(runId);
        ProcessHandle handle = j != null ? j.process.toHandle() : RunStatus.holder(runDir).orElse(null);
        if (handle == null || !handle.isAlive()) {
            return false;
        }
        handle.destroy();
        try {
            handle.onExit().get(seconds, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            // still ending: the page sees it in the run's status
        }
        return true;
    }

    ArrayNode jobs() {
        ArrayNode out = json.createArrayNode();
        jobs.values().stream().sorted((a, b) -> Integer.compare(number(b), number(a)))
                .forEach(j -> out.add(j.describe(json)));
        return out;
    }

    /** Ends every run this dashboard started (when it shuts down): each writes its interrupted summary. */
    void stopAll() {
        for (Job j : jobs.values()) {
            if (j.process.isAlive()) {
                j.process.destroy();
            }
        }
        validations.forEach(Process::destroyForcibly);
    }

    /** One process started from the page: its command, its output so far, and the run folder it writes. */
    static final class Job {
        private static final Pattern FOLDER = Pattern.compile("^(writing to|resuming in) (.+)$");
        final String key;
        final Process process;
        final String command;
        volatile String runId;
        private final Deque<String> output = new ArrayDeque<>();

        Job(String key, Process process, String command, String runId) {
            this.key = key;
            this.process = process;
            this.command = command;
            this.runId = runId;
        }

        void read(Path runsRoot) {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    var m = FOLDER.matcher(line.strip());
                    if (runId == null && m.matches()) {
                        Path dir = Path.of(m.group(2));
                        Path abs = dir.isAbsolute() ? dir : Path.of("").toAbsolutePath().resolve(dir);
                        if (runsRoot.equals(abs.normalize().getParent())) {
                            runId = abs.getFileName().toString();
                        }
                    }
                    synchronized (output) {
                        output.addLast(line);
                        while (output.size() > OUTPUT_LINES) {
                            output.removeFirst();
                        }
                    }
                }
            } catch (IOException e) {
                // the process ended
            }
        }

        List<String> output() {
            synchronized (output) {
                return new ArrayList<>(output);
            }
        }

        ObjectNode describe(ObjectMapper json) {
            ObjectNode n = json.createObjectNode();
            n.put("key", key);
            n.put("command", "scarcity " + command);
            if (runId != null) {
                n.put("runId", runId);
            }
            n.put("alive", process.isAlive());
            if (!process.isAlive()) {
                n.put("exitCode", process.exitValue());
            }
            ArrayNode out = n.putArray("output");
            output().forEach(out::add);
            return n;
        }
    }
}
