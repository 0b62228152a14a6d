package io.scarcity.dashboard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FederationViewTest {
    @TempDir
    Path dir;

    @Test
    void anInProcessRunHasNoFederation() throws Exception {
        Files.writeString(dir.resolve("audit.jsonl"), "{\"seq\":0,\"type\":\"start\"}\n{\"seq\":1,\"type\":\"join\",\"client\":\"x\"}\n");
        assertNull(FederationView.read(dir));
    }

    @Test
    void hostsAdmittedRefusedLateAndLost() throws Exception {
        Files.writeString(dir.resolve("audit.jsonl"), String.join("\n",
                "{\"seq\":0,\"time\":\"t0\",\"type\":\"start\"}",
                "{\"seq\":1,\"time\":\"t1\",\"type\":\"admission\",\"host\":\"127.0.0.1:5001\",\"certificate\":\"CN=host-a\",\"decision\":\"admitted for clients 0-1\"}",
                "{\"seq\":2,\"time\":\"t2\",\"type\":\"admission\",\"host\":\"127.0.0.1:5002\",\"certificate\":\"CN=host-b\",\"decision\":\"admitted for clients 2-3\"}",
                "{\"seq\":3,\"time\":\"t3\",\"type\":\"refusal\",\"host\":\"127.0.0.1:5003\",\"certificate\":\"\",\"decision\":\"missing plugins [forest]\"}",
                "{broken", ""));
        Files.writeString(dir.resolve("run.log"), String.join("\n",
                "2026-12-07T10:00:00Z INFO io.scarcity.run - run x started",
                "2026-12-07T10:00:05Z WARNING io.scarcity.network - host #1 vm [host-b] at 127.0.0.1:5002 missed the deadline of round 3 (2.0 s); its clients 2-3 are left out of the round",
                "2026-12-07T10:00:09Z WARNING io.scarcity.network - host #0 vm [host-a] at 127.0.0.1:5001 was lost in round 4; its clients 0-1 are left out of the round",
                "2026-12-07T10:00:10Z WARNING io.scarcity.network - host #0 vm [host-a] at 127.0.0.1:5001 is not connected: the checkpoint after round 5 keeps the last saved states of its clients 0-1",
                ""));
        Files.writeString(dir.resolve("config.yaml"), "# resolved\ncoordinator:\n  roundDeadline: 2.0\n");
        JsonNode f = FederationView.read(dir);
        assertEquals(2.0, f.get("roundDeadlineSeconds").asDouble());
        assertEquals(3, f.get("hosts").size());
        assertEquals("lost", f.get("hosts").get(0).get("state").asText());
        assertEquals("CN=host-a", f.get("hosts").get(0).get("certificate").asText());
        assertEquals("late", f.get("hosts").get(1).get("state").asText());
        assertTrue(f.get("hosts").get(1).get("decision").asText().contains("missed the deadline of round 3"));
        assertEquals("refused", f.get("hosts").get(2).get("state").asText());
        assertEquals("missing plugins [forest]", f.get("hosts").get(2).get("decision").asText());
        assertEquals(5, f.get("events").size());
    }

    @Test
    void aSilentHostHeardAgainIsConnectedAndEventsAreInTimeOrder() throws Exception {
        Files.writeString(dir.resolve("audit.jsonl"), "{\"seq\":1,\"time\":\"2026-12-07T10:00:01.5Z\",\"type\":\"admission\",\"host\":"
                + "\"/127.0.0.1:5001\",\"certificate\":\"a\",\"decision\":\"admitted for clients 0-1\"}\n");
        Files.writeString(dir.resolve("run.log"), "2026-12-07T10:00:00.1Z INFO io.scarcity.run - run x started\n");
        FederationView v = new FederationView(dir);
        assertTrue(v.refresh());
        assertEquals("connected", v.snapshot().get("hosts").get(0).get("state").asText());
        Files.writeString(dir.resolve("run.log"), "2026-12-07T10:00:03Z WARNING io.scarcity.network - host #0 vm [a] at /127.0.0.1:5001 is silent"
                + " (no heartbeat for 5000 ms): its clients are left out of the rounds until it is heard again\n",
                java.nio.file.StandardOpenOption.APPEND);
        assertTrue(v.refresh(), "only the new line is read");
        assertEquals("silent", v.snapshot().get("hosts").get(0).get("state").asText());
        Files.writeString(dir.resolve("run.log"), "2026-12-07T10:00:09Z INFO io.scarcity.network - host #0 vm [a] at /127.0.0.1:5001 is heard"
                + " again: its clients play from the next round on\n", java.nio.file.StandardOpenOption.APPEND);
        v.refresh();
        JsonNode f = v.snapshot();
        assertEquals("connected", f.get("hosts").get(0).get("state").asText());
        assertEquals(3, f.get("events").size());
        assertTrue(f.get("events").get(0).get("text").asText().startsWith("admitted"));
        assertTrue(f.get("events").get(2).get("text").asText().contains("heard again"));
        assertEquals(false, v.refresh(), "nothing new");
    }
}
