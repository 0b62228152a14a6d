package io.scarcity.runtime.report;

import io.scarcity.runtime.client.ClientRoundResult;
import io.scarcity.runtime.engine.RunObserver;
import java.io.PrintStream;
import java.util.List;
import java.util.Locale;

/**
 * Shows a run's progress: a bar redrawn in place on a terminal, or plain lines (about ten per run)
 * when the output is a file or a pipe.
 */
public final class ProgressDisplay implements RunObserver {
    /** How progress is shown. */
    public enum Mode { BAR, LINES, OFF }

    private final PrintStream out;
    private final Mode mode;
    private final long start = System.nanoTime();
    private long rows;
    private long classRows;
    private long correct;
    private long regRows;
    private double squaredErrors;

    public ProgressDisplay(PrintStream out, Mode mode) {
        this.out = out;
        this.mode = mode;
    }

    /** {@code auto}: a bar on an interactive terminal, lines otherwise. */
    public static Mode resolve(String setting) {
        return switch (setting) {
            case "bar" -> Mode.BAR;
            case "lines" -> Mode.LINES;
            case "off" -> Mode.OFF;
            default -> System.console() != null ? Mode.BAR : Mode.LINES;
        };
    }

    @Override
    public void roundCompleted(int round, int total, List<ClientRoundResult> results, RoundExtras extras) {
        long rr = 0;
        long rc = 0;
        for (ClientRoundResult r : results) {
            rows += r.rows();
            if (r.classification()) {
                rr += r.scored();
                rc += r.correct();
            } else {
                regRows += r.scored();
                squaredErrors += r.lossSum();
            }
        }
        classRows += rr;
        correct += rc;
        double seconds = (System.nanoTime() - start) / 1e9;
        StringBuilder text = new StringBuilder(String.format(Locale.ROOT, "round %d/%d", round, total));
        if (classRows > 0) {
            text.append(String.format(Locale.ROOT, "  accuracy %.3f (this round %.3f)", (double) correct / classRows,
                    rr == 0 ? Double.NaN : (double) rc / rr));
        }
        if (regRows > 0) {
            text.append(String.format(Locale.ROOT, "  RMSE %.4g", Math.sqrt(squaredErrors / regRows)));
        }
        text.append(String.format(Locale.ROOT, "  rows %,d  %,.0f rows/s", rows, seconds > 0 ? rows / seconds : 0));
        switch (mode) {
            case BAR -> {
                int width = 24;
                int filled = (int) Math.round(width * (double) round / total);
                out.print("\r[" + "#".repeat(filled) + " ".repeat(width - filled) + "] " + text + "   ");
                if (round == total) {
                    out.println();
                }
                out.flush();
            }
            case LINES -> {
                int every = Math.max(1, total / 10);
                if (round % every == 0 || round == total || round == 1) {
                    out.println(text);
                    out.flush();
                }
            }
            case OFF -> {
            }
        }
    }

    /** Ends a bar that was cut short (failure or early stop). */
    public void finish() {
        if (mode == Mode.BAR) {
            out.println();
        }
    }
}
