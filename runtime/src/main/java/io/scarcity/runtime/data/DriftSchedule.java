package io.scarcity.runtime.data;

import io.scarcity.api.PluginConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Random;

/**
 * Decides, row by row, which segment of a synthetic stream a row comes from: segment 0 before the
 * first drift, segment {@code k} after the k-th. Rows must be asked for in increasing order, which
 * is what lets the hot path be a single comparison.
 */
final class DriftSchedule {
    private final long[] at;
    private final long[] end;
    /** Drifts whose window lies entirely behind the last row asked for. */
    private int completed;

    DriftSchedule(List<Drift> drifts) {
        Objects.requireNonNull(drifts, "drifts is null");
        at = new long[drifts.size()];
        end = new long[drifts.size()];
        for (int i = 0; i < at.length; i++) {
            Drift d = drifts.get(i);
            if (i > 0 && (d.at() <= at[i - 1] || d.at() < end[i - 1])) {
                throw new IllegalArgumentException("drift " + i + " at " + d.at() + " must come after drift "
                        + (i - 1) + " at " + at[i - 1] + " and its window, which ends at " + end[i - 1]);
            }
            at[i] = d.at();
            end[i] = d.end();
        }
    }

    /**
     * Reads the {@code at} and {@code width} keys of each item of a {@code drifts} list. Windows may
     * not overlap: a row would then have to choose among three concepts, which no user means.
     *
     * @param length the stream's length, or {@link Long#MAX_VALUE} if unbounded
     */
    static List<Drift> read(List<PluginConfig> items, long length) {
        List<Drift> out = new ArrayList<>(items.size());
        for (int i = 0; i < items.size(); i++) {
            PluginConfig item = items.get(i);
            if (!item.has("at")) {
                throw item.invalid("at", "missing; each drift needs the row index 'at' where it starts");
            }
            long at = item.getLong("at", 0);
            if (at < 1) {
                throw item.invalid("at", "must be >= 1, got " + at
                        + " (to start in another concept, set the stream's starting concept instead)");
            }
            if (at >= length) {
                throw item.invalid("at", at + " is not before the stream's length " + length
                        + ", so the drift would never happen; lower it or raise length");
            }
            long width = item.getLong("width", 0);
            if (width < 0) {
                throw item.invalid("width", "must be >= 0 (0 = abrupt drift), got " + width);
            }
            if (!out.isEmpty()) {
                Drift prev = out.get(out.size() - 1);
                if (at <= prev.at()) {
                    throw item.invalid("at", "drifts must be listed in increasing order of 'at', but "
                            + at + " is not after the previous drift's " + prev.at());
                }
                if (at < prev.end()) {
                    throw item.invalid("at", at + " falls inside the previous drift's window ["
                            + prev.at() + ", " + prev.end() + "); move it to " + prev.end()
                            + " or later, or shorten the previous drift's width");
                }
            }
            out.add(new Drift(at, width));
        }
        return List.copyOf(out);
    }

    /** Number of drifts. */
    int size() {
        return at.length;
    }

    /**
     * Segment of row {@code index}: {@link #completed()} outside a drift window; inside a gradual
     * window, {@code completed()} or {@code completed() + 1} at random.
     */
    int segment(long index, Random rnd) {
        while (completed < at.length && index >= end[completed]) {
            completed++;
        }
        if (completed == at.length || index < at[completed]) {
            return completed;
        }
        // Inside a gradual window of width W: (offset + 1) / (W + 1) climbs from 1/(W+1) to W/(W+1),
        // symmetric around 1/2, so neither concept is favoured over the window as a whole.
        double p = (double) (index - at[completed] + 1) / (double) (end[completed] - at[completed] + 1);
        return rnd.nextDouble() < p ? completed + 1 : completed;
    }

    /** Drifts fully behind the last row given to {@link #segment}: the segment of the "old" concept. */
    int completed() {
        return completed;
    }

    /** Start rows of the drifts, for {@link RowSource#driftPositions()}. */
    List<Long> positions() {
        List<Long> out = new ArrayList<>(at.length);
        for (long a : at) {
            out.add(a);
        }
        return List.copyOf(out);
    }
}
