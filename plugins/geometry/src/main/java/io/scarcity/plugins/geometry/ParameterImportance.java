package io.scarcity.plugins.geometry;

import io.scarcity.api.StateReader;
import io.scarcity.api.StateWriter;
import java.io.IOException;
import java.util.Map;
import java.util.TreeMap;

/**
 * The geometry expert's importance: for every exported array, the EW mean (at the batch's {@code gamma}, a
 * plain mean at first) of the squared change of each value between the ends of consecutive learned
 * batches: a diagonal Fisher proxy (squared updates are squared gradients times the squared step). Changes
 * made by gossip merges are not counted ({@link #rebase}).
 */
final class ParameterImportance {
    private final String[] names;
    /** Per array, its values at the end of the last learned batch (or merge). */
    private final double[][] previous;
    /** Per array, the EW mean squared change of each value. */
    private final double[][] fisher;
    private long batches;

    /** Importance of the arrays {@code names}, whose values are now {@code views} (in that order). */
    ParameterImportance(String[] names, double[][] views) {
        this.names = names;
        this.previous = new double[names.length][];
        this.fisher = new double[names.length][];
        for (int i = 0; i < names.length; i++) {
            previous[i] = views[i].clone();
            fisher[i] = new double[views[i].length];
        }
    }

    /** At the end of a learned batch whose share of the estimates was {@code gamma}: the arrays are now {@code views}. */
    void update(double[][] views, double gamma) {
        batches++;
        double beta = Math.max(gamma, 1.0 / batches);
        for (int a = 0; a < names.length; a++) {
            double[] now = views[a];
            double[] before = previous[a];
            double[] f = fisher[a];
            for (int i = 0; i < now.length; i++) {
                double delta = now[i] - before[i];
                f[i] += beta * (delta * delta - f[i]);
            }
            System.arraycopy(now, 0, before, 0, now.length);
        }
    }

    /** After a merge (not an update from data): the next step measures from {@code views}. */
    void rebase(double[][] views) {
        for (int a = 0; a < names.length; a++) {
            System.arraycopy(views[a], 0, previous[a], 0, views[a].length);
        }
    }

    /** The importance arrays by name (live; do not modify). */
    Map<String, double[]> arrays() {
        return byName(names, fisher);
    }

    /** {@code arrays} by {@code names}, in the same order. */
    static Map<String, double[]> byName(String[] names, double[][] arrays) {
        Map<String, double[]> out = new TreeMap<>();
        for (int a = 0; a < names.length; a++) {
            out.put(names[a], arrays[a]);
        }
        return out;
    }

    void save(StateWriter out) throws IOException {
        out.writeLong(batches);
        for (int a = 0; a < names.length; a++) {
            out.writeDoubles(previous[a]);
            out.writeDoubles(fisher[a]);
        }
    }

    /** Reads what {@link #save} wrote and checks it; returns what adopts it (the expert's restore applies it last). */
    Runnable read(StateReader in) throws IOException {
        long newBatches = in.readLong();
        double[][] newPrevious = new double[names.length][];
        double[][] newFisher = new double[names.length][];
        for (int a = 0; a < names.length; a++) {
            newPrevious[a] = in.readDoubles(previous[a].length, "last values of '" + names[a] + "'");
            newFisher[a] = in.readDoubles(fisher[a].length, "importance of '" + names[a] + "'");
        }
        if (newBatches < 0) {
            throw new IOException("geometry expert checkpoint: invalid number of batches " + newBatches);
        }
        return () -> {
            batches = newBatches;
            for (int a = 0; a < names.length; a++) {
                System.arraycopy(newPrevious[a], 0, previous[a], 0, previous[a].length);
                System.arraycopy(newFisher[a], 0, fisher[a], 0, fisher[a].length);
            }
        };
    }
}
