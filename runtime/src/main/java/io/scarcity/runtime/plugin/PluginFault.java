package io.scarcity.runtime.plugin;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A bug in a plugin (it threw where it should not have), told apart from a bug in Scarcity and from a
 * user error: the message names the plugin, its archive, where it failed and the plugin's own frames of
 * the stack, and says to report it to the plugin's author. The CLI prints it without a stack trace and
 * exits with 1.
 */
public final class PluginFault extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private PluginFault(String message, Throwable cause) {
        super(message, cause);
    }

    /**
     * @param plugin the plugin at fault
     * @param where what it was doing, e.g. "on client coast-2 in round 12" or "while starting"
     * @param after what the user keeps, e.g. "the 11 rounds completed before it are kept in runs/x"; may be empty
     */
    public static PluginFault of(InstalledPlugin plugin, String where, Throwable cause, String after) {
        StringBuilder b = new StringBuilder("the ").append(plugin.kind().label()).append(" plugin '").append(plugin.name())
                .append("' (").append(plugin.origin()).append(", version ").append(plugin.version()).append(") failed ")
                .append(where).append(": ").append(cause);
        for (StackTraceElement frame : framesOf(plugin, cause, 3)) {
            b.append("\n    at ").append(frame);
        }
        b.append("\nThis is a bug in that plugin, not in your config or data: report it to the plugin's author");
        if (!after.isEmpty()) {
            b.append(" with the run's run.log (it holds the whole stack trace); ").append(after);
        }
        return new PluginFault(b.toString(), cause);
    }

    /**
     * The plugin whose code threw {@code e}: the topmost frame (of {@code e} or a cause) in a plugin's
     * package, the longest matching package winning; empty if no plugin's code is on the stack.
     */
    public static Optional<InstalledPlugin> culprit(Throwable e, PluginRegistry registry) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            for (StackTraceElement frame : t.getStackTrace()) {
                InstalledPlugin best = null;
                int bestLength = -1;
                for (InstalledPlugin p : registry.all()) {
                    String pkg = packageOf(p);
                    if (!pkg.isEmpty() && frame.getClassName().startsWith(pkg + ".") && pkg.length() > bestLength) {
                        best = p;
                        bestLength = pkg.length();
                    }
                }
                if (best != null) {
                    return Optional.of(best);
                }
            }
        }
        return Optional.empty();
    }

    /** A plugin's package (its factory's), unless it is one of Scarcity's own runtime or API packages. */
    private static String packageOf(InstalledPlugin p) {
        String pkg = p.factory().getClass().getPackageName();
        return pkg.equals("io.scarcity") || "io.scarcity.runtime".startsWith(pkg) || pkg.startsWith("io.scarcity.runtime")
                || pkg.startsWith("io.scarcity.api") ? "" : pkg;
    }

    private static List<StackTraceElement> framesOf(InstalledPlugin plugin, Throwable e, int max) {
        String pkg = packageOf(plugin);
        List<StackTraceElement> out = new ArrayList<>();
        for (Throwable t = e; t != null && out.isEmpty(); t = t.getCause() == t ? null : t.getCause()) {
            for (StackTraceElement frame : t.getStackTrace()) {
                if (!pkg.isEmpty() && frame.getClassName().startsWith(pkg + ".") && out.size() < max) {
                    out.add(frame);
                }
            }
        }
        return out;
    }
}
