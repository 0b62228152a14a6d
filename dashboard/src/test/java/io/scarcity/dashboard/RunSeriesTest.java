package io.scarcity.dashboard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RunSeriesTest {
    @TempDir
    Path dir;

    static String line(int round, String client, String domain, double accuracy, int rows) {
        return "{\"round\":" + round + ",\"client\":\"" + client + "\",\"domain\":\"" + domain + "\",\"rows\":" + rows
                + ",\"accuracy\":" + accuracy + ",\"experts\":{\"stat\":{\"active\":3},\"drift\":{\"active\":" + round + "}},\"routing\":{\"expertBatches\":10,\"idleExpertBatches\":4},\"driftDetections\":"
                + (round == 2 && client.equals("a-0") ? 1 : 0) + ",\"bytesSent\":100,\"memory\":{\"episodic\":" + (10 * round)
                + ",\"working\":5},\"plugins\":{\"privacy.epsilon\":" + (0.5 * round) + "}}\n";
    }

    private void append(String text) throws Exception {
        Files.writeString(dir.resolve("metrics.jsonl"), text, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }

    @Test
    void aggregatesEachRoundPerDomainWithTheClientsSpread() throws Exception {
        append(line(1, "a-0", "a", 0.8, 100) + line(1, "a-1", "a", 0.6, 300) + line(1, "b-0", "b", 0.9, 100));
        append(line(2, "a-0", "a", 0.7, 100) + line(2, "a-1", "a", 0.9, 100) + line(2, "b-0", "b", 1.0, 100));
        RunSeries s = new RunSeries(dir);
        assertTrue(s.refresh());
        JsonNode snap = s.snapshot();
        assertEquals("[1,2]", snap.get("rounds").toString());
        JsonNode a = snap.get("domains").get("a");
        assertEquals((0.8 * 100 + 0.6 * 300) / 400, a.get("mean").get(0).asDouble(), 1e-12, "weighted by rows");
        assertEquals(0.6, a.get("lo").get(0).asDouble(), 1e-12);
        assertEquals(0.8, a.get("hi").get(0).asDouble(), 1e-12);
        assertEquals(0.8, a.get("mean").get(1).asDouble(), 1e-12);
        assertEquals((0.8 * 100 + 0.6 * 300 + 0.9 * 100) / 500, snap.get("overall").get(0).asDouble(), 1e-12);
        assertEquals(12.0 / 30, snap.get("computeSaved").get(0).asDouble(), 1e-12);
        assertEquals(300, snap.get("bytesSent").get(0).asLong());
        assertEquals(20.0, snap.get("memory").get("episodic").get(1).asDouble(), 1e-12);
        assertEquals(1.0, snap.get("epsilon").get(1).asDouble(), 1e-12);
        assertEquals("[2]", snap.get("detectionsByClient").get("a-0").toString());
        assertEquals(3, snap.get("clients").asInt());
        assertEquals("[0.8,0.7]", snap.get("byClient").get("a-0").get("values").toString(), "each client's own line");
        assertEquals("b", snap.get("byClient").get("b-0").get("domain").asText());
        assertEquals(9, snap.get("activations").get("stat").get(0).asLong(), "summed over the clients");
        assertEquals(6, snap.get("activations").get("drift").get(1).asLong());
        assertFalse(s.refresh(), "nothing new");
    }

    @Test
    void aHalfWrittenLineWaitsAndACorruptLineIsReportedNotFatal() throws Exception {
        String full = line(1, "a-0", "a", 0.5, 10);
        append(full + "{not json\n" + full.substring(0, 20));
        RunSeries s = new RunSeries(dir);
        s.refresh();
        JsonNode snap = s.snapshot();
        assertEquals(1, snap.get("rounds").size());
        assertEquals(1, snap.get("problems").size());
        assertTrue(snap.get("problems").get(0).asText().contains("metrics.jsonl line 2: not JSON"), snap.get("problems").toString());
        append(full.substring(20).replace("\"round\":1", "\"round\":1"));
        append(line(2, "a-0", "a", 0.75, 10));
        assertTrue(s.refresh());
        snap = s.snapshot();
        assertEquals("[1,2]", snap.get("rounds").toString(), "the completed line counts, the corrupt one stays out");
        assertEquals(0.5, snap.get("domains").get("a").get("mean").get(0).asDouble(), 1e-12);
    }

    @Test
    void aFileCutBackByAResumeIsReadAgain() throws Exception {
        append(line(1, "a-0", "a", 0.5, 10) + line(2, "a-0", "a", 0.6, 10) + line(3, "a-0", "a", 0.7, 10));
        RunSeries s = new RunSeries(dir);
        s.refresh();
        assertEquals(3, s.snapshot().get("rounds").size());
        Files.writeString(dir.resolve("metrics.jsonl"), line(1, "a-0", "a", 0.5, 10), StandardCharsets.UTF_8);
        assertTrue(s.refresh());
        assertEquals("[1]", s.snapshot().get("rounds").toString());
    }

    @Test
    void rmseIsTheRootOfTheMeanSquaredErrorOverAllRowsAndIsNotMixedWithAccuracy() throws Exception {
        append("{\"round\":1,\"client\":\"r-0\",\"domain\":\"r\",\"rows\":100,\"accuracy\":null,\"rmse\":1.0}\n"
                + "{\"round\":1,\"client\":\"r-1\",\"domain\":\"r\",\"rows\":300,\"accuracy\":null,\"rmse\":3.0}\n");
        RunSeries s = new RunSeries(dir);
        s.refresh();
        JsonNode snap = s.snapshot();
        assertEquals("rmse", snap.get("metric").asText());
        assertEquals(Math.sqrt((100 * 1.0 + 300 * 9.0) / 400), snap.get("domains").get("r").get("mean").get(0).asDouble(), 1e-12);
        assertEquals(Math.sqrt((100 * 1.0 + 300 * 9.0) / 400), snap.get("overall").get(0).asDouble(), 1e-12);
        append(line(1, "c-0", "c", 0.9, 100));
        s.refresh();
        snap = s.snapshot();
        assertEquals("mixed", snap.get("metric").asText());
        assertTrue(snap.get("overall").get(0).isNull(), "no line over all clients mixes accuracy with RMSE");
        assertEquals("accuracy", snap.get("domains").get("c").get("metric").asText());
    }

    @Test
    void aFileReplacedByAResumeIsReadAgainEvenWhenItGrewBack() throws Exception {
        append(line(1, "a-0", "a", 0.5, 10) + line(2, "a-0", "a", 0.6, 10));
        RunSeries s = new RunSeries(dir);
        s.refresh();
        // a resume writes a new file (cut back to round 1) and the run appends past the old length before the next look
        Path fresh = dir.resolve("metrics.jsonl.new");
        Files.writeString(fresh, line(1, "a-0", "a", 0.5, 10) + line(2, "a-0", "a", 0.9, 10) + line(3, "a-0", "a", 0.95, 10));
        Files.move(fresh, dir.resolve("metrics.jsonl"), java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        assertTrue(s.refresh());
        JsonNode a = s.snapshot().get("domains").get("a");
        assertEquals("[1,2,3]", s.snapshot().get("rounds").toString());
        assertEquals(0.9, a.get("mean").get(1).asDouble(), 1e-12, "round 2 as the resumed run wrote it");
    }

    @Test
    void aLinkedFileIsNotRead() throws Exception {
        Path outside = Files.createTempFile("outside", ".jsonl");
        Files.writeString(outside, line(1, "a-0", "a", 0.5, 10));
        Files.createSymbolicLink(dir.resolve("metrics.jsonl"), outside);
        RunSeries s = new RunSeries(dir);
        s.refresh();
        assertEquals(0, s.snapshot().get("rounds").size(), "a link could lead out of the run folder");
        Files.delete(outside);
    }

    @Test
    void coordinatorHealthPerRound() throws Exception {
        Files.writeString(dir.resolve("coordinator.jsonl"),
                "{\"round\":1,\"offline\":[],\"dropped\":[],\"weights\":{\"a\":0.4,\"b\":0.6},\"lossSpread\":0.1,\"converged\":false}\n"
                        + "{\"round\":2,\"offline\":[\"b\"],\"dropped\":[\"c\"],\"weights\":{\"a\":0.5},\"lossSpread\":0.05,\"converged\":true}\n"
                        + "garbage\n", StandardCharsets.UTF_8);
        RunSeries s = new RunSeries(dir);
        s.refresh();
        JsonNode c = s.snapshot().get("coordinator");
        assertEquals(0, c.get("offline").get(0).asInt());
        assertEquals(1, c.get("offline").get(1).asInt());
        assertEquals(1, c.get("dropped").get(1).asInt());
        assertEquals(0.4, c.get("weightLo").get(0).asDouble(), 1e-12);
        assertEquals(0.6, c.get("weightHi").get(0).asDouble(), 1e-12);
        assertEquals(2, c.get("convergedAtRound").asInt());
        assertEquals(0, s.snapshot().get("gossipBytes").size(), "no metrics rounds, no gossip line");
        assertEquals(2, c.get("leftOut").get(0).get("round").asInt());
        assertTrue(s.snapshot().get("problems").get(0).asText().contains("coordinator.jsonl line 3"));
    }
}
