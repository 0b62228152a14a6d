package io.scarcity.runtime.run;

import java.nio.file.Path;

/**
 * Writes a report into a run folder once the run has ended (completed or failed) and its summary.json is written,
 * e.g. the dashboard module's static {@code report.html}. Registered in
 * {@code META-INF/services/io.scarcity.runtime.run.RunReportWriter}, found on the class path. A writer that throws is
 * logged in run.log and changes nothing else about the run.
 */
public interface RunReportWriter {
    /** Writes its files into {@code runDir}, reading what the run wrote there (metrics.jsonl, summary.json, ...). */
    void write(Path runDir) throws Exception;
}
