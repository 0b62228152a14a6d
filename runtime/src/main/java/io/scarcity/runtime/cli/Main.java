package io.scarcity.runtime.cli;

import io.scarcity.api.ApiVersion;
import io.scarcity.api.ConfigException;
import io.scarcity.runtime.UserException;
import java.io.PrintWriter;
import java.util.logging.Level;
import java.util.logging.Logger;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code scarcity}: run experiments, validate configs, list plugins. Exit codes: 0 success, 2 a user
 * error (bad config, bad data, bad arguments; a one-paragraph message, no stack trace), 1 a bug (in a
 * plugin: a message naming it and its archive, no stack trace; in Scarcity: the stack trace).
 */
@Command(name = "scarcity", mixinStandardHelpOptions = true,
        versionProvider = Main.Version.class,
        description = "Federated continual learning with a mixture of experts.",
        subcommands = {RunCommand.class, ValidateCommand.class, BenchCommand.class, PluginsCommand.class, AuditCommand.class,
            CommandLine.HelpCommand.class})
public final class Main implements Runnable {
    /** Exit code for errors the user can fix. */
    public static final int USER_ERROR = 2;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(execute(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
    }

    /** Runs the CLI and returns its exit code (for tests and embedding). */
    public static int execute(String[] args, PrintWriter out, PrintWriter err) {
        quietLibraries();
        CommandLine cli = new CommandLine(new Main());
        for (CommandProvider provider : java.util.ServiceLoader.load(CommandProvider.class, Main.class.getClassLoader())) {
            provider.commands().forEach(cli::addSubcommand);
        }
        cli.setOut(out);
        cli.setErr(err);
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            if (e instanceof ConfigException || e instanceof UserException) {
                commandLine.getErr().println("error: " + e.getMessage());
                return USER_ERROR;
            }
            if (e instanceof io.scarcity.runtime.plugin.PluginFault) {
                commandLine.getErr().println("error: " + e.getMessage());
                return 1;
            }
            commandLine.getErr().println("internal error (a bug; please report it with the run folder's run.log):");
            e.printStackTrace(commandLine.getErr());
            return 1;
        });
        cli.setParameterExceptionHandler((e, a) -> {
            CommandLine c = e.getCommandLine();
            c.getErr().println("error: " + e.getMessage());
            c.getErr().println("try '" + c.getCommandSpec().qualifiedName() + " --help'");
            return USER_ERROR;
        });
        return cli.execute(args);
    }

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** Strong reference: java.util.logging keeps loggers weakly, and would forget the level. */
    private static final Logger PF4J_LOG = Logger.getLogger("org.pf4j");

    /**
     * The terminal belongs to the CLI (progress, results, one-paragraph errors): log records go only to
     * the run's log file, attached per run. Without this, java.util.logging's console handler would
     * print records, stack traces included, on stderr. PF4J's per-plugin chatter is kept at WARNING.
     */
    private static void quietLibraries() {
        PF4J_LOG.setLevel(Level.WARNING);
        for (java.util.logging.Handler h : Logger.getLogger("").getHandlers()) {
            if (h instanceof java.util.logging.ConsoleHandler) {
                h.setLevel(Level.OFF);
            }
        }
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String impl = Main.class.getPackage().getImplementationVersion();
            return new String[] {"scarcity " + (impl == null ? "dev" : impl) + " (API " + ApiVersion.current() + ")"};
        }
    }
}
