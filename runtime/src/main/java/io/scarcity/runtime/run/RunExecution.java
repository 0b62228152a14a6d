package io.scarcity.runtime.run;

import io.scarcity.api.ConfigException;
import io.scarcity.runtime.UserException;
import io.scarcity.runtime.audit.AuditLog;
import io.scarcity.runtime.checkpoint.RunCheckpoints;
import io.scarcity.runtime.config.LoadedConfig;
import io.scarcity.runtime.engine.InProcessEngine;
import io.scarcity.runtime.engine.RunObserver;
import io.scarcity.runtime.engine.RunResult;
import io.scarcity.runtime.engine.TaskEvaluation;
import io.scarcity.runtime.plugin.PluginRegistry;
import io.scarcity.runtime.report.CoordinatorLogWriter;
import io.scarcity.runtime.report.MetricsWriter;
import io.scarcity.runtime.report.ProgressDisplay;
import io.scarcity.runtime.report.RunFolder;
import io.scarcity.runtime.report.RunLog;
import io.scarcity.runtime.report.SummaryCollector;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One headless run from a loaded config to a run folder: {@code config.yaml} (resolved),
 * {@code metrics.jsonl}, {@code summary.json} and {@code run.log}. Whatever happens after the folder
 * exists (a bad row in round 40, a bug, Ctrl-C), the metrics of completed rounds stay on disk and the
 * summary says how the run ended.
 */
public final class RunExecution {
    private static final System.Logger LOG = System.getLogger("io.scarcity.run");
    private static final String METRICS = "metrics.jsonl";
    private static final String COORDINATOR_LOG = "coordinator.jsonl";

    /**
     * Where the run went and how it ended; {@code accuracy} over classification rows and {@code rmse}
     * over regression rows (NaN when there are none).
     */
    public record Outcome(Path runDir, RunResult result, double accuracy, double rmse) {
    }

    private RunExecution() {
    }

    /**
     * Runs a config.
     *
     * @param progress where progress goes (typically stderr)
     * @throws ConfigException or UserException for user errors; the run folder, if created, holds
     *         everything computed before the error and a summary with status {@code failed}
     */
    public static Outcome run(LoadedConfig loaded, PluginRegistry registry, PrintStream progress, Clock clock) {
        return run(loaded, registry, progress, clock, null);
    }

    /**
     * Runs a config with its clients in the fleet {@code fleets} makes (e.g. in other processes, for a
     * networked coordinator); {@code null} runs them in this JVM.
     */
    public static Outcome run(LoadedConfig loaded, PluginRegistry registry, PrintStream progress, Clock clock,
                              InProcessEngine.FleetFactory fleets) {
        Objects.requireNonNull(loaded, "loaded is null");
        Path outDir = Path.of(loaded.config().output().dir());
        if (!outDir.isAbsolute()) {
            outDir = Path.of("").toAbsolutePath().resolve(outDir);
        }
        // Build (and so validate) everything before creating a folder, so a config error leaves no debris.
        InProcessEngine engine = fleets == null ? new InProcessEngine(loaded, registry) : new InProcessEngine(loaded, registry, fleets);
        try {
            engine.checkStore(null);
        } catch (RuntimeException e) {
            engine.close();
            throw e;
        }
        Path runDir = RunFolder.create(outDir, loaded.config().name(), clock);
        try {
            engine.openStore(runDir);
        } catch (RuntimeException e) {
            engine.close();
            deleteQuietly(runDir);
            throw e;
        }
        return execute(loaded, registry, engine, runDir, progress);
    }

    /**
     * Continues an interrupted run (killed, failed or stopped) from the most recent checkpoint in its
     * folder: the run's own {@code config.yaml} is loaded again (environment variables still apply, e.g.
     * a database password, but must not change the config), every component is restored, the outputs of
     * rounds after the checkpoint are dropped and computed again. With the same seed the run ends with the
     * same metrics as one that was never interrupted.
     *
     * @throws UserException if the folder is not a run folder, has no checkpoint, or the config changed
     */
    public static Outcome resume(Path runDir, java.util.Map<String, String> env, PluginRegistry registry, PrintStream progress) {
        return resume(runDir, env, registry, progress, null);
    }

    /**
     * Continues an interrupted run with its clients in the fleet {@code fleets} makes (e.g. the hosts of a
     * networked coordinator, which reconnect); {@code null} runs them in this JVM.
     */
    public static Outcome resume(Path runDir, java.util.Map<String, String> env, PluginRegistry registry, PrintStream progress,
                                 InProcessEngine.FleetFactory fleets) {
        Objects.requireNonNull(runDir, "runDir is null");
        runDir = runDir.toAbsolutePath().normalize();
        Path configFile = runDir.resolve("config.yaml");
        if (!Files.isDirectory(runDir) || !Files.isRegularFile(configFile)) {
            throw new UserException(runDir + " is not a run folder (it has no config.yaml); pass the folder a run wrote, "
                    + "e.g. --resume runs/quickstart-20261122-101500");
        }
        String status = previousStatus(runDir);
        if ("completed".equals(status)) {
            throw new UserException(runDir + " has nothing left to run: its summary.json says it completed");
        }
        // Check first, then touch: the lock, then every check (checkpoints, config, store) reads only.
        try (RunLock lock = RunLock.acquire(runDir)) {
            RunCheckpoints.Choice choice = RunCheckpoints.choose(runDir);
            RunCheckpoints.Checkpoint checkpoint = choice.checkpoint();
            String text;
            try {
                text = Files.readString(configFile, StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UserException("cannot read " + configFile + ": " + io.scarcity.runtime.Faults.describe(e));
            }
            LoadedConfig loaded = io.scarcity.runtime.config.ConfigLoader.parse(text, configFile.toString(),
                    checkpoint.configBaseDir(), env, List.of());
            // config.yaml holds the config resolved when the run started, under one comment line. The checkpoint
            // has its digest: a mismatch is an edit. Resolving it again may add keys a newer Scarcity introduced
            // (with defaults that change nothing), which is no reason to refuse; an environment variable that
            // changes the resolved config is.
            String stored = text.startsWith("# resolved from ") && text.indexOf('\n') >= 0 ? text.substring(text.indexOf('\n') + 1) : text;
            boolean edited = !RunCheckpoints.digest(stored).equals(checkpoint.configDigest());
            boolean overridden = !env.isEmpty() && !loaded.resolvedYaml().equals(io.scarcity.runtime.config.ConfigLoader.parse(text,
                    configFile.toString(), checkpoint.configBaseDir(), java.util.Map.of(), List.of()).resolvedYaml());
            if (edited || overridden) {
                throw new UserException("the config of " + runDir + " is not the one its checkpoint was taken with ("
                        + "config.yaml was edited, or a SCARCITY_* environment variable changes it); restore config.yaml "
                        + "or unset the variable, or start a new run");
            }
            if (loaded.config().rounds() <= checkpoint.round()) {
                throw new UserException(runDir + " has nothing left to run: its checkpoint is of round " + checkpoint.round()
                        + " of " + loaded.config().rounds());
            }
            io.scarcity.runtime.coordinator.CoordinatorStore.checkBeforeResume(loaded.config().coordinator().store(), runDir);
            InProcessEngine engine = fleets == null ? new InProcessEngine(loaded, registry) : new InProcessEngine(loaded, registry, fleets);
            try {
                engine.checkStore(runDir);
                engine.openStore(runDir);
            } catch (RuntimeException e) {
                engine.close();
                throw e;
            }
            if (!choice.skipped().isEmpty()) {
                progress.println("resuming from " + runDir.relativize(checkpoint.folder()) + "; skipped the newer checkpoints that"
                        + " do not verify:\n  " + String.join("\n  ", choice.skipped()));
            }
            return executeLocked(loaded, registry, engine, runDir, choice, progress);
        }
    }

    /** {@code status} of a run folder's summary.json, or {@code null} if it has none (a killed run) or it is unreadable. */
    private static String previousStatus(Path runDir) {
        try {
            com.fasterxml.jackson.databind.JsonNode s = new com.fasterxml.jackson.databind.ObjectMapper()
                    .readTree(runDir.resolve("summary.json").toFile());
            return s != null && s.path("status").isTextual() ? s.get("status").asText() : null;
        } catch (IOException e) {
            return null;
        }
    }

    private static Outcome execute(LoadedConfig loaded, PluginRegistry registry, InProcessEngine engine, Path runDir,
                                   PrintStream progress) {
        RunLock lock;
        try {
            lock = RunLock.acquire(runDir);
        } catch (RuntimeException e) {
            engine.close();
            throw e;
        }
        try (lock) {
            return executeLocked(loaded, registry, engine, runDir, null, progress);
        }
    }

    private static Outcome executeLocked(LoadedConfig loaded, PluginRegistry registry, InProcessEngine engine, Path runDir,
                                         RunCheckpoints.Choice choice, PrintStream progress) {
        RunCheckpoints.Checkpoint from = choice == null ? null : choice.checkpoint();
        SummaryCollector summary = new SummaryCollector(loaded.config().name(), loaded.config().rounds());
        AuditLog.Prepared auditing;
        try {
            // the audit log first: a log or key that refuses the resume does so before anything is restored or rewound
            auditing = prepareAudit(loaded, runDir, from);
            if (from != null) {
                engine.restore(from, summary);
                summary.resumedAfter(from.round());
            }
        } catch (RuntimeException e) {
            engine.close();
            throw e;
        }
        boolean resumed = from != null;
        AuditLog audit = null;
        AtomicBoolean finished = new AtomicBoolean(false);
        Thread onInterrupt = new Thread(() -> {
            if (finished.compareAndSet(false, true)) {
                try {
                    summary.write(runDir.resolve("summary.json"), "interrupted", "the run was stopped before it finished", null,
                            facts(engine));
                } catch (RuntimeException e) {
                    LOG.log(Level.ERROR, "summary.json of the interrupted run could not be written: " + e.getMessage());
                }
            }
        }, "scarcity-interrupt");
        try (RunLog log = RunLog.attach(runDir.resolve("run.log"), resumed);
             MetricsWriter metrics = !resumed ? new MetricsWriter(runDir.resolve(METRICS))
                     : from.outputs().containsKey(METRICS) ? MetricsWriter.resume(runDir.resolve(METRICS), from.outputs().get(METRICS).bytes())
                     : MetricsWriter.resume(runDir.resolve(METRICS), from.round());
             CoordinatorLogWriter coordinatorLog = !resumed ? new CoordinatorLogWriter(runDir.resolve(COORDINATOR_LOG))
                     : from.outputs().containsKey(COORDINATOR_LOG)
                     ? CoordinatorLogWriter.resume(runDir.resolve(COORDINATOR_LOG), from.outputs().get(COORDINATOR_LOG).bytes())
                     : CoordinatorLogWriter.resume(runDir.resolve(COORDINATOR_LOG), from.round())) {
            if (resumed) {
                for (String skipped : choice.skipped()) {
                    LOG.log(Level.WARNING, "skipped the checkpoint " + skipped);
                }
                LOG.log(Level.INFO, "run " + loaded.config().name() + " resumed in " + runDir + " from the checkpoint after round "
                        + from.round() + "; rounds " + (from.round() + 1) + ".." + loaded.config().rounds() + " to go");
            } else {
                Files.writeString(runDir.resolve("config.yaml"), "# resolved from " + loaded.source()
                        + " (defaults + file + overrides)\n" + loaded.resolvedYaml(), StandardCharsets.UTF_8);
                PluginSources.write(runDir, registry);
                LOG.log(Level.INFO, "run " + loaded.config().name() + " started in " + runDir + " with "
                        + loaded.config().totalClients() + " clients");
                var dp = loaded.config().privacy().dp();
                if (dp != null && dp.outputs().equals("insights")) {
                    LOG.log(Level.WARNING, "privacy.dp noises the insights only (epsilon " + dp.epsilon()
                            + " per client over the run): expert states sent by gossip, weight sharing or a warm start leave"
                            + " the clients without noise; outputs: both noises gossip too (docs/privacy.md)");
                } else if (dp != null && dp.outputs().equals("gossip")) {
                    LOG.log(Level.WARNING, "privacy.dp noises gossip only (epsilon " + dp.epsilon() + " per row): the insights"
                            + " leave the clients without noise; outputs: both noises them too (docs/privacy.md)");
                }
            }
            audit = auditing == null ? null : auditing.begin();
            if (audit != null) {
                engine.audit(audit);
            }
            // the folder first, so that whoever watches the output (a terminal, the dashboard) knows where to look
            progress.println((resumed ? "resuming in " : "writing to ") + shown(runDir));
            startCheckpoints(loaded, engine, runDir, summary, metrics, coordinatorLog, progress, audit);
            Runtime.getRuntime().addShutdownHook(onInterrupt);
            ProgressDisplay display = new ProgressDisplay(progress,
                    ProgressDisplay.resolve(loaded.config().output().progress()));
            try {
                List<RunObserver> observers = new java.util.ArrayList<>(List.of(metrics, coordinatorLog, summary, display));
                if (audit != null) {
                    observers.add(syncingBeforeCheckpoints(audit));
                }
                observers.addAll(listeners());
                RunResult result = engine.run(fanOut(observers));
                if (result.roundsCompleted() < loaded.config().rounds()) {
                    display.finish();
                }
                finished.set(true);
                endAudit(audit, summary, "completed", result.stopReason(), result.roundsCompleted());
                summary.write(runDir.resolve("summary.json"), "completed", null, result, facts(engine));
                LOG.log(Level.INFO, "run finished: " + result.stopReason());
                writeReports(runDir);
                return new Outcome(runDir, result, summary.accuracy(), summary.rmse());
            } catch (RuntimeException | Error e) {
                display.finish();
                finished.set(true);
                boolean userError = e instanceof ConfigException || e instanceof UserException;
                String message = userError ? e.getMessage() : e.toString();
                if (userError) {
                    LOG.log(Level.ERROR, "run failed after " + summary.roundsCompleted() + " rounds: " + message);
                } else {
                    LOG.log(Level.ERROR, "run failed after " + summary.roundsCompleted() + " rounds: " + message, e);
                }
                try {
                    endAudit(audit, summary, "failed", message, summary.roundsCompleted());
                } catch (RuntimeException again) {
                    LOG.log(Level.ERROR, "the audit log's last entry could not be written: " + again.getMessage());
                }
                String kept = summary.roundsCompleted() == 1 ? "the round completed before it is kept in " + runDir
                        : "the " + summary.roundsCompleted() + " rounds completed before it are kept in " + runDir;
                var culprit = userError ? java.util.Optional.<io.scarcity.runtime.plugin.InstalledPlugin>empty()
                        : io.scarcity.runtime.plugin.PluginFault.culprit(e, registry);
                if (culprit.isPresent()) {
                    var fault = io.scarcity.runtime.plugin.PluginFault.of(culprit.get(),
                            e instanceof io.scarcity.runtime.RoundFailure rf ? rf.where() : "during the run",
                            e instanceof io.scarcity.runtime.RoundFailure ? e.getCause() : e, kept);
                    writeFailedSummary(summary, runDir, fault.getMessage(), engine);
                    throw fault;
                }
                String unwritten = writeFailedSummary(summary, runDir, message, engine);
                writeReports(runDir);
                if (e instanceof UserException ue) {
                    throw new UserException(ue.getMessage() + "\n(" + kept.replace("before it", "before the error") + unwritten + ")", ue);
                }
                if (e instanceof RuntimeException re) {
                    throw re;
                }
                throw (Error) e;
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            engine.close();
            if (audit != null) {
                try {
                    audit.close();
                } catch (RuntimeException e) {
                    LOG.log(Level.ERROR, "closing the audit log failed: " + e.getMessage());
                }
            }
            try {
                Runtime.getRuntime().removeShutdownHook(onInterrupt);
            } catch (IllegalStateException ignored) {
                // the JVM is already shutting down: the hook is running
            }
        }
    }

    /**
     * The coordinator's audit log ({@code privacy.audit}) checked and ready to start or continue, before anything in the
     * run folder is written (a refusal leaves it as it was); null when it is off.
     */
    private static AuditLog.Prepared prepareAudit(LoadedConfig loaded, Path runDir, RunCheckpoints.Checkpoint from) {
        var config = loaded.config().privacy().audit();
        if (!config.enabled()) {
            return null;
        }
        Map<String, Object> start = new java.util.LinkedHashMap<>();
        start.put("run", loaded.config().name());
        start.put("configSha256", io.scarcity.runtime.audit.AuditTrail.sha256(
                loaded.resolvedYaml().getBytes(StandardCharsets.UTF_8)));
        start.put("rounds", loaded.config().rounds());
        start.put("clients", loaded.config().totalClients());
        var dp = loaded.config().privacy().dp();
        if (dp != null) {
            start.put("dpEpsilon", dp.epsilon());
            start.put("dpDelta", dp.delta());
        }
        return AuditLog.prepare(runDir, config, loaded.baseDir(), start, from == null ? -1 : from.round(), Clock.systemUTC());
    }

    /** The audit log's last entry, and its head in summary.json (so that a log cut at an entry's end is caught). */
    private static void endAudit(AuditLog audit, SummaryCollector summary, String status, String why, int rounds) {
        if (audit == null) {
            return;
        }
        Map<String, Object> facts = new java.util.LinkedHashMap<>();
        facts.put("status", status);
        facts.put("rounds", rounds);
        facts.put("why", why);
        audit.record("end", facts);
        audit.sync();
        summary.audited(audit.entries(), audit.head());
    }

    private static RunObserver syncingBeforeCheckpoints(AuditLog audit) {
        return new RunObserver() {
            @Override
            public void roundCompleted(int round, int totalRounds, List<io.scarcity.runtime.client.ClientRoundResult> results,
                                       RoundExtras extras) {
            }

            @Override
            public void beforeCheckpoint(int round) {
                audit.sync();
            }
        };
    }

    /**
     * Writes the summary of a failed run; if that fails too (the folder became read-only, the disk is full),
     * the error is logged and returned as a note for the user instead of hiding the first error.
     */
    private static String writeFailedSummary(SummaryCollector summary, Path runDir, String message, InProcessEngine engine) {
        try {
            summary.write(runDir.resolve("summary.json"), "failed", message, null, facts(engine));
            return "";
        } catch (RuntimeException second) {
            LOG.log(Level.ERROR, "summary.json of the failed run could not be written: " + second.getMessage());
            return "; summary.json could not be written either: " + io.scarcity.runtime.Faults.describeRoot(second);
        }
    }

    /** Checkpoints as configured, or a warning naming the plugins that prevent them. */
    private static void startCheckpoints(LoadedConfig loaded, InProcessEngine engine, Path runDir, SummaryCollector summary,
                                         MetricsWriter metrics, CoordinatorLogWriter coordinatorLog, PrintStream progress, AuditLog audit) {
        var c = loaded.config().checkpoint();
        if (c.every() == 0) {
            return;
        }
        List<String> blockers = engine.notCheckpointable();
        if (!blockers.isEmpty()) {
            String warning = "no checkpoints in this run (it cannot be resumed): these plugins do not support them: "
                    + String.join(", ", blockers) + "; set checkpoint.every: 0 to silence this";
            LOG.log(Level.WARNING, warning);
            progress.println("warning: " + warning);
            return;
        }
        engine.checkpointInto(new RunCheckpoints(runDir, c.keep(), RunCheckpoints.digest(loaded.resolvedYaml()), loaded.baseDir(),
                () -> {
                    java.util.Map<String, RunCheckpoints.OutputPrefix> outputs = new java.util.TreeMap<>();
                    outputs.put(METRICS, new RunCheckpoints.OutputPrefix(metrics.bytes(), metrics.sha256()));
                    outputs.put(COORDINATOR_LOG, new RunCheckpoints.OutputPrefix(coordinatorLog.bytes(), coordinatorLog.sha256()));
                    if (audit != null) {
                        // the audit log as it was: a resume refuses a log emptied, cut or edited before the checkpoint
                        outputs.put(AuditLog.FILE, new RunCheckpoints.OutputPrefix(audit.bytes(), audit.sha256Hex()));
                    }
                    return outputs;
                }),
                summary);
    }

    /** Removes a run folder that never got a run (nothing computed is lost). */
    private static void deleteQuietly(Path dir) {
        try (var files = Files.walk(dir)) {
            for (Path p : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException | RuntimeException e) {
            LOG.log(Level.WARNING, "could not remove the empty run folder " + dir + ": " + e);
        }
    }

    private static SummaryCollector.Facts facts(InProcessEngine engine) {
        return new SummaryCollector.Facts(engine.injectedDrifts(), engine.quarantined(), engine.filteredRows(),
                engine.coordinatorTotals(), engine.routingTotals());
    }

    /** {@code runDir} relative to the working directory when it lies under it, else absolute. */
    private static String shown(Path runDir) {
        Path here = Path.of("").toAbsolutePath();
        Path dir = runDir.toAbsolutePath().normalize();
        return dir.startsWith(here) ? here.relativize(dir).toString() : dir.toString();
    }

    /**
     * Lets every {@link RunReportWriter} on the class path (the dashboard's report.html) write its files after
     * summary.json; a writer that fails is logged and changes nothing else about the run.
     */
    private static void writeReports(Path runDir) {
        for (RunReportWriter writer : java.util.ServiceLoader.load(RunReportWriter.class, RunExecution.class.getClassLoader())) {
            try {
                writer.write(runDir);
            } catch (Exception | LinkageError e) {
                LOG.log(Level.WARNING, writer.getClass().getName() + " could not write its report in " + runDir + ": " + e);
            }
        }
    }

    /**
     * Run listeners found on the class path ({@code META-INF/services/io.scarcity.runtime.engine.RunObserver}):
     * none in the distribution; a test puts one there to interrupt a run at an exact point of a round.
     */
    private static List<RunObserver> listeners() {
        List<RunObserver> out = new java.util.ArrayList<>();
        java.util.ServiceLoader.load(RunObserver.class, RunExecution.class.getClassLoader()).forEach(out::add);
        return out;
    }

    /** One observer that forwards every call (rounds, task evaluations, checkpoints) to each of {@code observers}. */
    static RunObserver fanOut(List<RunObserver> observers) {
        return new RunObserver() {
            @Override
            public void roundCompleted(int round, int total, List<io.scarcity.runtime.client.ClientRoundResult> results,
                                       RoundExtras extras) {
                for (RunObserver o : observers) {
                    o.roundCompleted(round, total, results, extras);
                }
            }

            @Override
            public void roundDecided(int round) {
                for (RunObserver o : observers) {
                    o.roundDecided(round);
                }
            }

            @Override
            public void tasksEvaluated(TaskEvaluation evaluation) {
                for (RunObserver o : observers) {
                    o.tasksEvaluated(evaluation);
                }
            }

            @Override
            public void beforeCheckpoint(int round) {
                for (RunObserver o : observers) {
                    o.beforeCheckpoint(round);
                }
            }
        };
    }
}
