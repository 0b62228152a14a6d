package io.scarcity.runtime.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/**
 * The suite's results as one table, method x metric, each cell the mean and standard deviation over
 * seeds (NaN values, e.g. a drift never recovered from, are left out of the mean and counted).
 * Metrics that no method has (e.g. forgetting on a suite without tasks) are left out.
 */
public final class BenchTable {
    /** A column: its name, how it is printed, and how a run gives it. */
    record Metric(String name, String format, ToDoubleFunction<MethodRun> value) {
    }

    static final List<Metric> METRICS = List.of(
            new Metric("accuracy", "%.4f", MethodRun::accuracy),
            new Metric("kappa", "%.4f", MethodRun::kappa),
            new Metric("precision", "%.4f", MethodRun::precision),
            new Metric("recall", "%.4f", MethodRun::recall),
            new Metric("rmse", "%.4g", MethodRun::rmse),
            new Metric("final-task-acc", "%.4f", MethodRun::finalTaskAccuracy),
            new Metric("forgetting", "%.4f", MethodRun::forgetting),
            new Metric("bwt", "%.4f", MethodRun::backwardTransfer),
            new Metric("recovery-rounds", "%.1f", r -> mean(r.recoveryRounds())),
            new Metric("rows-to-target", "%.0f", r -> mean(r.rowsToTarget())),
            new Metric("KB/client/round", "%.2f", r -> r.bytesPerClientRound() / 1024.0),
            new Metric("compute-saved", "%.2f", MethodRun::computeSaved),
            new Metric("rows/s", "%,.0f", MethodRun::rowsPerSecond),
            new Metric("peak-heap-MB", "%.0f", MethodRun::peakHeapMb));

    /** Mean, standard deviation (n - 1) and the count of NaN values over the seeds of one method. */
    record Cell(double mean, double sd, int missing, double[] values) {
    }

    private final List<String> methods;
    private final List<Metric> metrics;
    private final Map<String, Map<String, Cell>> cells;

    private BenchTable(List<String> methods, List<Metric> metrics, Map<String, Map<String, Cell>> cells) {
        this.methods = methods;
        this.metrics = metrics;
        this.cells = cells;
    }

    public static BenchTable of(List<String> methodOrder, List<MethodRun> runs) {
        Map<String, Map<String, Cell>> cells = new LinkedHashMap<>();
        List<Metric> present = new ArrayList<>();
        for (Metric m : METRICS) {
            boolean any = false;
            for (String method : methodOrder) {
                double[] v = runs.stream().filter(r -> r.method().equals(method)).mapToDouble(m.value()).toArray();
                Cell c = cell(v);
                cells.computeIfAbsent(method, k -> new LinkedHashMap<>()).put(m.name(), c);
                any |= !Double.isNaN(c.mean());
            }
            if (any) {
                present.add(m);
            }
        }
        return new BenchTable(List.copyOf(methodOrder), present, cells);
    }

    static Cell cell(double[] values) {
        double sum = 0;
        int n = 0;
        for (double v : values) {
            if (!Double.isNaN(v)) {
                sum += v;
                n++;
            }
        }
        double mean = n == 0 ? Double.NaN : sum / n;
        double ss = 0;
        for (double v : values) {
            if (!Double.isNaN(v)) {
                ss += (v - mean) * (v - mean);
            }
        }
        double sd = n > 1 ? Math.sqrt(ss / (n - 1)) : Double.NaN;
        return new Cell(mean, sd, values.length - n, values.clone());
    }

    static double mean(List<Double> values) {
        double sum = 0;
        int n = 0;
        for (double v : values) {
            if (!Double.isNaN(v)) {
                sum += v;
                n++;
            }
        }
        if (values.isEmpty()) {
            return Double.NaN;
        }
        // Any drift never recovered from makes the method's recovery "not recovered" (NaN).
        return n < values.size() ? Double.NaN : sum / n;
    }

    public List<String> methods() {
        return methods;
    }

    public List<String> metricNames() {
        return metrics.stream().map(Metric::name).toList();
    }

    public Cell cell(String method, String metric) {
        return cells.get(method).get(metric);
    }

    String format(String method, Metric m) {
        Cell c = cells.get(method).get(m.name());
        if (Double.isNaN(c.mean())) {
            return c.missing() > 0 && m.name().equals("recovery-rounds") ? "not recovered"
                    : c.missing() > 0 && m.name().equals("rows-to-target") ? "not reached" : "-";
        }
        String s = String.format(Locale.ROOT, m.format(), c.mean());
        if (!Double.isNaN(c.sd())) {
            s += " ± " + String.format(Locale.ROOT, m.format(), c.sd());
        }
        if (c.missing() > 0) {
            s += " (" + c.missing() + " n/a)";
        }
        return s;
    }

    /** The table as aligned text. */
    public String render() {
        List<String[]> rows = new ArrayList<>();
        List<String> header = new ArrayList<>();
        header.add("method");
        metrics.forEach(m -> header.add(m.name()));
        rows.add(header.toArray(new String[0]));
        for (String method : methods) {
            List<String> row = new ArrayList<>();
            row.add(method);
            metrics.forEach(m -> row.add(format(method, m)));
            rows.add(row.toArray(new String[0]));
        }
        int[] width = new int[header.size()];
        for (String[] r : rows) {
            for (int i = 0; i < r.length; i++) {
                width[i] = Math.max(width[i], r[i].length());
            }
        }
        StringBuilder b = new StringBuilder();
        for (int j = 0; j < rows.size(); j++) {
            String[] r = rows.get(j);
            for (int i = 0; i < r.length; i++) {
                b.append(i == 0 ? String.format("%-" + width[i] + "s", r[i]) : "  " + String.format("%" + width[i] + "s", r[i]));
            }
            b.append('\n');
            if (j == 0) {
                int total = 0;
                for (int w : width) {
                    total += w + 2;
                }
                b.append("-".repeat(total - 2)).append('\n');
            }
        }
        return b.toString();
    }

    /** The table as Markdown (for the README). */
    public String markdown() {
        StringBuilder b = new StringBuilder("| method |");
        metrics.forEach(m -> b.append(' ').append(m.name()).append(" |"));
        b.append("\n|---|");
        metrics.forEach(m -> b.append("---|"));
        b.append('\n');
        for (String method : methods) {
            b.append("| ").append(method).append(" |");
            metrics.forEach(m -> b.append(' ').append(format(method, m)).append(" |"));
            b.append('\n');
        }
        return b.toString();
    }

    /** Writes {@code results.csv} (method, metric, mean, sd, n/a, values) and {@code results.json}. */
    public void write(Path dir, BenchSuite suite, List<MethodRun> runs) {
        StringBuilder csv = new StringBuilder("method,metric,mean,sd,missing,values\n");
        for (String method : methods) {
            for (Metric m : metrics) {
                Cell c = cells.get(method).get(m.name());
                StringBuilder values = new StringBuilder();
                for (double v : c.values()) {
                    values.append(values.length() == 0 ? "" : ";").append(v);
                }
                csv.append('"').append(method.replace("\"", "\"\"")).append("\",").append(m.name()).append(',')
                        .append(c.mean()).append(',').append(c.sd()).append(',').append(c.missing()).append(',')
                        .append(values).append('\n');
            }
        }
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("suite", suite.suite());
        json.put("description", suite.description());
        json.put("seeds", suite.seeds());
        Map<String, Object> table = new LinkedHashMap<>();
        for (String method : methods) {
            Map<String, Object> row = new LinkedHashMap<>();
            for (Metric m : metrics) {
                Cell c = cells.get(method).get(m.name());
                Map<String, Object> cell = new LinkedHashMap<>();
                cell.put("mean", finite(c.mean()));
                cell.put("sd", finite(c.sd()));
                cell.put("missing", c.missing());
                row.put(m.name(), cell);
            }
            table.put(method, row);
        }
        json.put("table", table);
        List<Object> details = new ArrayList<>();
        for (MethodRun r : runs) {
            Map<String, Object> d = new LinkedHashMap<>();
            d.put("method", r.method());
            d.put("seed", r.seed());
            d.put("rows", r.rows());
            d.put("accuracyByRound", finite(r.accuracyByRound()));
            d.put("clientAccuracy", r.clientAccuracy());
            d.put("accuracyMatrix", r.accuracyMatrix());
            d.put("taskOfSegment", r.taskOf());
            d.put("recoveryRounds", r.recoveryRounds().stream().map(BenchTable::finite).toList());
            details.add(d);
        }
        json.put("runs", details);
        try {
            Files.writeString(dir.resolve("results.csv"), csv, StandardCharsets.UTF_8);
            Files.writeString(dir.resolve("results.json"), new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
                    .writeValueAsString(json) + "\n", StandardCharsets.UTF_8);
            Files.writeString(dir.resolve("results.md"), markdown(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Double finite(double v) {
        return Double.isFinite(v) ? v : null;
    }

    private static List<Double> finite(double[] v) {
        List<Double> out = new ArrayList<>(v.length);
        for (double x : v) {
            out.add(finite(x));
        }
        return out;
    }
}
