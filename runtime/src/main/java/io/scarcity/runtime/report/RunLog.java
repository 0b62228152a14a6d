package io.scarcity.runtime.report;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.logging.FileHandler;
import java.util.logging.Formatter;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * Sends every log record of the run (runtime, plugins through {@link System.Logger}, PF4J through
 * SLF4J) to {@code run.log} in the run folder, one line each: time, level, logger, message.
 */
public final class RunLog implements AutoCloseable {
    private final Handler handler;

    private RunLog(Handler handler) {
        this.handler = handler;
    }

    public static RunLog attach(Path file) {
        return attach(file, false);
    }

    /** As {@link #attach(Path)}; {@code append} continues an existing log (a resumed run). */
    public static RunLog attach(Path file, boolean append) {
        try {
            FileHandler h = new FileHandler(file.toString(), append);
            h.setEncoding("UTF-8");
            h.setLevel(Level.INFO);
            h.setFormatter(new Formatter() {
                @Override
                public String format(LogRecord r) {
                    StringBuilder b = new StringBuilder()
                            .append(Instant.ofEpochMilli(r.getMillis())).append(' ')
                            .append(r.getLevel().getName()).append(' ')
                            .append(r.getLoggerName()).append(" - ")
                            .append(formatMessage(r)).append('\n');
                    if (r.getThrown() != null) {
                        java.io.StringWriter sw = new java.io.StringWriter();
                        r.getThrown().printStackTrace(new java.io.PrintWriter(sw));
                        b.append(sw);
                    }
                    return b.toString();
                }
            });
            Logger.getLogger("").addHandler(h);
            return new RunLog(h);
        } catch (IOException e) {
            throw new io.scarcity.runtime.UserException("cannot write " + file + ": " + io.scarcity.runtime.Faults.describe(e)
                    + "; make the run folder writable, or choose another output.dir", e);
        }
    }

    @Override
    public void close() {
        Logger.getLogger("").removeHandler(handler);
        handler.close();
    }
}
