package io.scarcity.runtime.bench;

import java.awt.BasicStroke;
import java.awt.Color;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import org.knowm.xchart.AnnotationLine;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.BoxChart;
import org.knowm.xchart.BoxChartBuilder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * {@code report.html}: the suite's table and plots (PNG, embedded, so the file stands alone):
 * accuracy per round for each method (mean over seeds) with the injected drifts marked, the spread of
 * per-client accuracy for each method, and for task streams the accuracy matrix of each method.
 */
public final class BenchReport {
    private BenchReport() {
    }

    public static void write(Path file, BenchSuite suite, String command, BenchTable table, List<MethodRun> runs,
                             List<Integer> driftRounds) {
        System.setProperty("java.awt.headless", "true");
        StringBuilder html = new StringBuilder();
        html.append("<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>Scarcity benchmark: ")
                .append(esc(suite.suite())).append("</title><style>")
                .append("body{font-family:sans-serif;max-width:1100px;margin:2em auto;color:#222}")
                .append("table{border-collapse:collapse;font-size:14px}td,th{border:1px solid #ccc;padding:4px 8px;text-align:right}")
                .append("td:first-child,th:first-child{text-align:left}code{background:#f4f4f4;padding:2px 4px}")
                .append("img{max-width:100%}</style></head><body>");
        html.append("<h1>Benchmark suite <code>").append(esc(suite.suite())).append("</code></h1>");
        html.append("<p>").append(esc(suite.description())).append("</p>");
        html.append("<p>Reproduce: <code>").append(esc(command)).append("</code> &middot; seeds ")
                .append(esc(suite.seeds().toString())).append(" &middot; each cell: mean &plusmn; standard deviation over seeds</p>");
        html.append("<h2>Results</h2><table><tr><th>method</th>");
        for (String m : table.metricNames()) {
            html.append("<th>").append(esc(m)).append("</th>");
        }
        html.append("</tr>");
        for (String method : table.methods()) {
            html.append("<tr><td>").append(esc(method)).append("</td>");
            for (BenchTable.Metric m : BenchTable.METRICS) {
                if (table.metricNames().contains(m.name())) {
                    html.append("<td>").append(esc(table.format(method, m))).append("</td>");
                }
            }
            html.append("</tr>");
        }
        html.append("</table>");
        html.append("<h2>Prequential accuracy per round</h2>");
        html.append("<p>Mean over seeds of the accuracy of all clients' rows in each round")
                .append(driftRounds.isEmpty() ? "." : "; dashed lines: rounds in which a drift was injected.").append("</p>");
        html.append(img(accuracyChart(table.methods(), runs, driftRounds)));
        html.append("<h2>Spread over clients</h2><p>Each client's prequential accuracy over the run, all seeds pooled.</p>");
        BoxChart box = spreadChart(table.methods(), runs);
        if (box != null) {
            html.append(img(box));
        }
        List<MethodRun> withTasks = runs.stream().filter(r -> r.accuracyMatrix().length > 0).toList();
        if (!withTasks.isEmpty()) {
            html.append("<h2>Accuracy matrices</h2><p>Row i: accuracy on each task's held-out rows after segment i ")
                    .append("(its task in brackets) was learned; first seed of each method.</p>");
            for (String method : table.methods()) {
                withTasks.stream().filter(r -> r.method().equals(method)).findFirst().ifPresent(r -> html.append(matrix(r)));
            }
        }
        html.append("</body></html>\n");
        try {
            Files.writeString(file, html, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static XYChart accuracyChart(List<String> methods, List<MethodRun> runs, List<Integer> driftRounds) {
        XYChart chart = new XYChartBuilder().width(1000).height(420).xAxisTitle("round").yAxisTitle("accuracy").build();
        chart.getStyler().setMarkerSize(0);
        chart.getStyler().setChartBackgroundColor(Color.WHITE);
        chart.getStyler().setXAxisTickMarkSpacingHint(70);
        chart.getStyler().setXAxisDecimalPattern("#");
        for (String method : methods) {
            List<double[]> series = runs.stream().filter(r -> r.method().equals(method)).map(MethodRun::accuracyByRound).toList();
            int n = series.stream().mapToInt(a -> a.length).min().orElse(0);
            List<Double> xs = new ArrayList<>();
            List<Double> ys = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                double sum = 0;
                int c = 0;
                for (double[] s : series) {
                    if (!Double.isNaN(s[i])) {
                        sum += s[i];
                        c++;
                    }
                }
                if (c > 0) {
                    xs.add(i + 1.0);
                    ys.add(sum / c);
                }
            }
            if (!xs.isEmpty()) {
                chart.addSeries(method, xs, ys).setMarker(SeriesMarkers.NONE);
            }
        }
        for (int d : new TreeSet<>(driftRounds)) {
            AnnotationLine line = new AnnotationLine(d, true, false);
            chart.addAnnotation(line);
        }
        chart.getStyler().setAnnotationLineColor(Color.GRAY);
        chart.getStyler().setAnnotationLineStroke(new BasicStroke(1.5f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER,
                10f, new float[] {6f, 4f}, 0f));
        return chart;
    }

    private static BoxChart spreadChart(List<String> methods, List<MethodRun> runs) {
        BoxChart chart = new BoxChartBuilder().width(1000).height(380).yAxisTitle("client accuracy").build();
        chart.getStyler().setChartBackgroundColor(Color.WHITE);
        boolean any = false;
        for (String method : methods) {
            List<Double> values = new ArrayList<>();
            for (MethodRun r : runs) {
                if (r.method().equals(method)) {
                    for (double v : r.clientAccuracy().values()) {
                        if (!Double.isNaN(v)) {
                            values.add(v);
                        }
                    }
                }
            }
            if (!values.isEmpty()) {
                chart.addSeries(method, values);
                any = true;
            }
        }
        return any ? chart : null;
    }

    private static String matrix(MethodRun r) {
        StringBuilder b = new StringBuilder("<h3>").append(esc(r.method())).append("</h3><table><tr><th>after segment</th>");
        for (int t = 0; t < r.accuracyMatrix()[0].length; t++) {
            b.append("<th>task ").append(t).append("</th>");
        }
        b.append("</tr>");
        for (int i = 0; i < r.accuracyMatrix().length; i++) {
            b.append("<tr><td>").append(i).append(" [").append(r.taskOf()[i]).append("]</td>");
            for (double v : r.accuracyMatrix()[i]) {
                b.append("<td>").append(String.format(Locale.ROOT, "%.3f", v)).append("</td>");
            }
            b.append("</tr>");
        }
        return b.append("</table>").toString();
    }

    private static String img(org.knowm.xchart.internal.chartpart.Chart<?, ?> chart) {
        try {
            byte[] png = BitmapEncoder.getBitmapBytes(chart, BitmapEncoder.BitmapFormat.PNG);
            return "<p><img alt=\"plot\" src=\"data:image/png;base64," + Base64.getEncoder().encodeToString(png) + "\"></p>";
        } catch (IOException e) {
            throw new UncheckedIOException("cannot render a plot", e);
        }
    }

    private static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }

    /** Rounds in which drifts were injected, from a run's declared drift positions. */
    static List<Integer> driftRounds(Map<String, Map<Long, Integer>> injected) {
        List<Integer> out = new ArrayList<>();
        injected.values().forEach(m -> out.addAll(m.values()));
        return out;
    }
}
