package io.scarcity.plugins.reconstruction;

import io.scarcity.api.ExpertState;
import io.scarcity.api.StateReader;
import io.scarcity.api.StateWriter;
import java.io.IOException;
import java.util.List;
import java.util.Map;

/**
 * The {@link Vae}'s parameter arrays as the reconstruction expert shares and keeps them: their names (the
 * arrays an EWC penalty acts on), their values for gossip, their Fisher estimates for
 * {@code Expert.importance()}, and their checkpoint part (per array its values, the optimiser's moments, the
 * Fisher estimate and its count, then the optimiser's step count). Changes are returned as actions to run once
 * everything a merge or a restore needs was read and checked, so that a failure leaves the network as it was.
 */
final class VaeParameters {
    private final Vae vae;
    private final List<String> names;
    private final int[] lengths;

    VaeParameters(Vae vae) {
        this.vae = vae;
        this.names = vae.params.stream().map(p -> p.name).toList();
        this.lengths = vae.params.stream().mapToInt(p -> p.value.length).toArray();
    }

    /** The arrays' names, in {@link Vae#params} order. */
    List<String> names() {
        return names;
    }

    /** The arrays' lengths, in {@link Vae#params} order. */
    int[] lengths() {
        return lengths.clone();
    }

    /** Puts every array's values into {@code w} under its name. */
    void export(Map<String, double[]> w) {
        for (Vae.Param p : vae.params) {
            w.put(p.name, p.value);
        }
    }

    /** Puts every array's Fisher estimate into {@code w} under its name. */
    void importance(Map<String, double[]> w) {
        for (Vae.Param p : vae.params) {
            w.put(p.name, p.fisher);
        }
    }

    /** Checks every array of a merged state and returns the change that adopts them. */
    Runnable checkMerge(ExpertState merged) {
        double[][] values = new double[vae.params.size()][];
        for (int i = 0; i < values.length; i++) {
            Vae.Param p = vae.params.get(i);
            values[i] = merged.requireWeight(p.name, p.value.length);
        }
        return () -> {
            for (int i = 0; i < values.length; i++) {
                Vae.Param p = vae.params.get(i);
                System.arraycopy(values[i], 0, p.value, 0, p.value.length);
            }
            vae.syncAll();
        };
    }

    void save(StateWriter out) throws IOException {
        for (Vae.Param p : vae.params) {
            out.writeDoubles(p.value);
            out.writeDoubles(p.m);
            out.writeDoubles(p.v);
            out.writeDoubles(p.fisher);
            out.writeLong(p.fisherCount);
        }
        out.writeLong(vae.steps());
    }

    /** Reads what {@link #save} wrote and returns the change that restores it. */
    Runnable read(StateReader in) throws IOException {
        int n = vae.params.size();
        double[][] values = new double[n][];
        double[][] first = new double[n][];
        double[][] second = new double[n][];
        double[][] fisher = new double[n][];
        long[] fisherCounts = new long[n];
        for (int i = 0; i < n; i++) {
            Vae.Param p = vae.params.get(i);
            values[i] = in.readDoubles(p.value.length, p.name);
            first[i] = in.readDoubles(p.value.length, p.name + " (first moment)");
            second[i] = in.readDoubles(p.value.length, p.name + " (second moment)");
            fisher[i] = in.readDoubles(p.value.length, p.name + " (Fisher estimate)");
            fisherCounts[i] = in.readLong();
            if (fisherCounts[i] < 0) {
                throw new IOException("reconstruction expert checkpoint: invalid Fisher count " + fisherCounts[i] + " of "
                        + p.name);
            }
        }
        long steps = in.readLong();
        if (steps < 0) {
            throw new IOException("reconstruction expert checkpoint: invalid steps " + steps);
        }
        return () -> {
            for (int i = 0; i < n; i++) {
                Vae.Param p = vae.params.get(i);
                System.arraycopy(values[i], 0, p.value, 0, p.value.length);
                System.arraycopy(first[i], 0, p.m, 0, p.m.length);
                System.arraycopy(second[i], 0, p.v, 0, p.v.length);
                System.arraycopy(fisher[i], 0, p.fisher, 0, p.fisher.length);
                p.fisherCount = fisherCounts[i];
            }
            vae.syncAll();
            vae.setSteps(steps);
        };
    }
}
