package io.scarcity.plugins.geometry;

import io.scarcity.api.Batch;
import io.scarcity.api.DataSchema;
import io.scarcity.api.Task;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.zip.GZIPInputStream;

/** scikit-learn's digits (1797 x 64 pixels + label), from the test resources, and batches of it. */
final class Digits {
    static final int FEATURES = 64;
    static final DataSchema SCHEMA;
    static final double[][] X;
    static final int[] Y;

    static {
        List<String> names = new ArrayList<>();
        for (int j = 0; j < FEATURES; j++) {
            names.add("c" + j);
        }
        List<String> classes = new ArrayList<>();
        for (int c = 0; c < 10; c++) {
            classes.add(String.valueOf(c));
        }
        SCHEMA = new DataSchema(names, Task.CLASSIFICATION, classes);
        List<double[]> xs = new ArrayList<>();
        List<Integer> ys = new ArrayList<>();
        try (InputStream raw = Digits.class.getResourceAsStream("/data/digits/digits.csv.gz");
             BufferedReader in = new BufferedReader(new InputStreamReader(new GZIPInputStream(raw), StandardCharsets.US_ASCII))) {
            String line;
            while ((line = in.readLine()) != null) {
                String[] parts = line.split(",");
                double[] x = new double[FEATURES];
                for (int j = 0; j < FEATURES; j++) {
                    x[j] = Double.parseDouble(parts[j]);
                }
                xs.add(x);
                ys.add((int) Double.parseDouble(parts[FEATURES]));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        X = xs.toArray(new double[0][]);
        Y = ys.stream().mapToInt(Integer::intValue).toArray();
    }

    private Digits() {
    }

    /** {@code passes} shuffled passes over the data (a new permutation per pass) in batches of {@code size}. */
    static List<Batch> stream(int passes, int size, long seed) {
        Random random = new Random(seed);
        List<Batch> out = new ArrayList<>();
        int n = X.length;
        for (int pass = 0; pass < passes; pass++) {
            int[] perm = new int[n];
            for (int i = 0; i < n; i++) {
                perm[i] = i;
            }
            for (int i = n - 1; i > 0; i--) {
                int j = random.nextInt(i + 1);
                int t = perm[i];
                perm[i] = perm[j];
                perm[j] = t;
            }
            for (int s = 0; s + size <= n; s += size) {
                double[] f = new double[size * FEATURES];
                int[] y = new int[size];
                for (int r = 0; r < size; r++) {
                    System.arraycopy(X[perm[s + r]], 0, f, r * FEATURES, FEATURES);
                    y[r] = Y[perm[s + r]];
                }
                out.add(Batch.ofClasses(SCHEMA, "digits", (long) pass * n + s, f, y));
            }
        }
        return out;
    }
}
