package io.scarcity.dashboard;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.scarcity.runtime.run.RunReportWriter;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * A run's {@code report.html}: the dashboard's charts of the run (the same script), its summary and config, with the
 * chart library and the data inside the one file, so that a headless run leaves a picture that opens anywhere without a
 * server or a network. Written when a run ends; {@code scarcity dashboard} shows the same live.
 */
public final class RunReport implements RunReportWriter {
    private static final String WEB = "/io/scarcity/dashboard/web/";

    @Override
    public void write(Path runDir) throws IOException {
        Path tmp = runDir.resolve("report.html.tmp");
        Files.writeString(tmp, html(runDir), StandardCharsets.UTF_8);
        Files.move(tmp, runDir.resolve("report.html"), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /** The report of the run in {@code runDir}, as one HTML document. */
    static String html(Path runDir) throws IOException {
        ObjectMapper json = new ObjectMapper();
        ObjectNode data = json.createObjectNode();
        data.put("id", runDir.getFileName().toString());
        JsonNode summary = RunFolders.readJson(runDir.resolve("summary.json"));
        data.put("name", summary != null ? summary.path("name").asText(runDir.getFileName().toString()) : runDir.getFileName().toString());
        if (summary != null) {
            data.set("summary", summary);
        }
        RunSeries series = new RunSeries(runDir);
        series.refresh();
        data.set("series", series.snapshot());
        String config = RunFolders.readText(runDir.resolve("config.yaml"));
        if (config != null) {
            data.put("config", config);
        }
        String title = escape(data.path("name").asText()) + " - Scarcity run report";
        return "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>" + title + "</title>\n<style>\n"
                + resource("vendor/uPlot.min.css") + "\n" + resource("app.css") + "\n</style>\n</head>\n<body class=\"report\">\n"
                + "<main id=\"app\"></main>\n<footer class=\"muted\">Charts drawn by uPlot (MIT licence, included in this file).</footer>\n"
                + "<script>\n" + script(resource("vendor/uPlot.iife.min.js")) + "\n</script>\n<script>\n" + script(resource("charts.js"))
                + "\n</script>\n<script>\nScarcityCharts.renderReport(document.getElementById('app'), "
                + script(json.writeValueAsString(data)) + ");\n</script>\n</body>\n</html>\n";
    }

    /** Text put inside a script element: "</" can end the element early, so it is written "<\/" (the same in JS). */
    private static String script(String text) {
        return text.replace("</", "<\\/").replace("<!--", "<\\!--");
    }

    private static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }

    static String resource(String name) {
        try (InputStream in = RunReport.class.getResourceAsStream(WEB + name)) {
            if (in == null) {
                throw new IllegalStateException("the dashboard's " + name + " is missing from this build");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
