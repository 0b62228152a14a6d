package io.scarcity.plugins.reconstruction;

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
import java.util.Arrays;
import java.util.List;
import java.util.zip.GZIPInputStream;

/** scikit-learn's digits (test resource, see data/digits/README.md): 1797 rows of 64 pixels and a label. */
final class Digits {
    static final int FEATURES = 64;
    static final DataSchema SCHEMA;

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
    }

    final double[] features;
    final int[] labels;

    private Digits(double[] features, int[] labels) {
        this.features = features;
        this.labels = labels;
    }

    static Digits load() {
        try (InputStream raw = Digits.class.getResourceAsStream("/data/digits/digits.csv.gz")) {
            if (raw == null) {
                throw new IllegalStateException("test resource data/digits/digits.csv.gz is missing");
            }
            BufferedReader in = new BufferedReader(new InputStreamReader(new GZIPInputStream(raw), StandardCharsets.US_ASCII));
            List<double[]> rows = new ArrayList<>();
            String line;
            while ((line = in.readLine()) != null) {
                if (line.isBlank()) {
                    continue;
                }
                String[] cells = line.split(",");
                double[] row = new double[cells.length];
                for (int j = 0; j < cells.length; j++) {
                    row[j] = Double.parseDouble(cells[j].trim());
                }
                rows.add(row);
            }
            double[] x = new double[rows.size() * FEATURES];
            int[] y = new int[rows.size()];
            for (int r = 0; r < rows.size(); r++) {
                System.arraycopy(rows.get(r), 0, x, r * FEATURES, FEATURES);
                y[r] = (int) rows.get(r)[FEATURES];
            }
            return new Digits(x, y);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    int rows() {
        return labels.length;
    }

    /** Rows {@code from} to {@code to} (exclusive) as a labelled batch. */
    Batch batch(int from, int to) {
        return Batch.ofClasses(SCHEMA, "digits", from, Arrays.copyOfRange(features, from * FEATURES, to * FEATURES),
                Arrays.copyOfRange(labels, from, to));
    }

    /** The same rows without labels. */
    Batch unlabelled(int from, int to) {
        return Batch.ofClasses(SCHEMA, "digits", from, Arrays.copyOfRange(features, from * FEATURES, to * FEATURES), null);
    }
}
