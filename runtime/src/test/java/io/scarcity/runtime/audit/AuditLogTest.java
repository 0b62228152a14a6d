package io.scarcity.runtime.audit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scarcity.runtime.UserException;
import io.scarcity.runtime.config.AuditConfig;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AuditLogTest {
    @TempDir
    Path dir;

    AuditLog open(int resumedAfter) {
        return AuditLog.open(dir, AuditConfig.DEFAULT, dir, Map.of("run", "t"), resumedAfter, Clock.systemUTC());
    }

    Path written(int insights) {
        try (AuditLog log = open(-1)) {
            for (int i = 0; i < insights; i++) {
                log.record("insight", Map.of("round", 1, "client", "c" + i, "accepted", i % 2 == 0));
            }
            log.record("end", Map.of("status", "completed"));
        }
        return dir.resolve(AuditLog.FILE);
    }

    static AuditVerifier.Result verify(Path file) throws Exception {
        return AuditVerifier.verify(file, null);
    }

    @Test
    void anIntactLogVerifiesWithItsOwnKeyAndThePinnedOne() throws Exception {
        Path file = written(6);
        AuditVerifier.Result r = verify(file);
        assertTrue(r.intact(), r.problem());
        assertEquals(8, r.entries());
        assertEquals("end", r.lastType());
        var pub = AuditKeys.readPublic(dir.resolve(AuditLog.PUBLIC_KEY), "test");
        assertTrue(AuditVerifier.verify(file, pub).intact());
        if (Files.getFileStore(dir).supportsFileAttributeView("posix")) {
            assertEquals("rw-------", java.nio.file.attribute.PosixFilePermissions.toString(
                    Files.getPosixFilePermissions(dir.resolve(AuditLog.PRIVATE_KEY))), "the private key is its owner's alone");
        }
    }

    @Test
    void anEditedEntryIsNamed() throws Exception {
        Path file = written(6);
        List<String> lines = new ArrayList<>(Files.readAllLines(file));
        lines.set(3, lines.get(3).replace("\"accepted\":true", "\"accepted\":false"));
        Files.write(file, lines);
        AuditVerifier.Result r = verify(file);
        assertFalse(r.intact());
        assertEquals(3, r.entries());
        assertTrue(r.problem().startsWith("entry 3 (line 4) does not match its hash"), r.problem());
    }

    @Test
    void aRemovedReorderedOrInsertedEntryIsNamed() throws Exception {
        Path file = written(6);
        List<String> lines = Files.readAllLines(file);
        List<String> removed = new ArrayList<>(lines);
        removed.remove(2);
        Files.write(file, removed);
        assertTrue(verify(file).problem().startsWith("entry 2 (line 3) has sequence number 3"), verify(file).problem());

        List<String> swapped = new ArrayList<>(lines);
        swapped.set(4, lines.get(5));
        swapped.set(5, lines.get(4));
        Files.write(file, swapped);
        assertEquals(4, verify(file).entries());

        // an entry rewritten with the right sequence number and hash but a forged link and no valid signature
        List<String> inserted = new ArrayList<>(lines);
        inserted.add(3, lines.get(3));
        Files.write(file, inserted);
        AuditVerifier.Result r = verify(file);
        assertFalse(r.intact());
        assertEquals(4, r.entries(), r.problem());
    }

    @Test
    void aLogRewrittenWholeWithAnotherKeyIsCaughtOnlyByThePinnedKey() throws Exception {
        Path file = written(3);
        var original = AuditKeys.readPublic(dir.resolve(AuditLog.PUBLIC_KEY), "test");
        // the attacker makes a new key pair and a new log in the same folder
        Files.delete(file);
        Files.delete(dir.resolve(AuditLog.PRIVATE_KEY));
        Files.delete(dir.resolve(AuditLog.PUBLIC_KEY));
        written(1);
        assertTrue(verify(file).intact(), "consistent with itself");
        AuditVerifier.Result pinned = AuditVerifier.verify(file, original);
        assertFalse(pinned.intact());
        assertTrue(pinned.problem().contains("another public key"), pinned.problem());
    }

    @Test
    void aForgedSignatureIsNamed() throws Exception {
        Path file = written(2);
        List<String> lines = new ArrayList<>(Files.readAllLines(file));
        String line = lines.get(3); // the end, which signs the chain
        int sig = line.lastIndexOf("\"sig\":\"") + 7;
        char c = line.charAt(sig + 5);
        lines.set(3, line.substring(0, sig + 5) + (c == 'A' ? 'B' : 'A') + line.substring(sig + 6));
        Files.write(file, lines);
        AuditVerifier.Result r = verify(file);
        assertEquals(3, r.entries());
        assertTrue(r.problem().contains("signature"), r.problem());
        // and an entry that should close a step but carries no signature
        lines.set(3, line.substring(0, line.lastIndexOf(",\"sig\":")) + "}");
        Files.write(file, lines);
        assertTrue(verify(file).problem().contains("is not signed"), verify(file).problem());
    }

    @Test
    void onlyTheEntriesThatCloseAStepAreSignedAndAnUnsignedTailIsNamedYetContinuable() throws Exception {
        Path file;
        try (AuditLog log = open(-1)) {
            log.record("insight", Map.of("round", 1));
            log.record("round", Map.of("round", 1));
            log.record("insight", Map.of("round", 2));
            log.record("insight", Map.of("round", 2));
            file = dir.resolve(AuditLog.FILE);
        }
        List<String> lines = Files.readAllLines(file);
        assertTrue(lines.get(0).contains("\"sig\"") && lines.get(2).contains("\"sig\""));
        assertFalse(lines.get(1).contains("\"sig\"") || lines.get(3).contains("\"sig\""));
        AuditVerifier.Result r = verify(file);
        assertFalse(r.intact());
        assertTrue(r.unsignedTail() && r.continuable());
        assertTrue(r.problem().startsWith("entries 3..4 follow the last signed entry (2)"), r.problem());
        try (AuditLog log = open(2)) {
            log.record("round", Map.of("round", 2));
        }
        assertTrue(verify(file).intact(), "the resume signs them");
    }

    @Test
    void fieldsAfterTheHashOrTwiceInAnEntryAreRefusedAndAnEmptyLogIsNotIntact() throws Exception {
        Path file = written(2);
        List<String> lines = new ArrayList<>(Files.readAllLines(file));
        String insight = lines.get(1);
        lines.set(1, insight.substring(0, insight.length() - 1) + ",\"forged\":\"evil\"}");
        Files.write(file, lines);
        AuditVerifier.Result after = verify(file);
        assertEquals(1, after.entries());
        assertTrue(after.problem().contains("after its hash"), after.problem());
        // the same key again after the hash: not even read as an entry
        lines.set(1, insight.substring(0, insight.length() - 1) + ",\"accepted\":false}");
        Files.write(file, lines);
        assertEquals(1, verify(file).entries(), verify(file).problem());
        // a key given twice before the hash (the last would win in a lenient parser)
        lines.set(1, insight.replace("\"round\":1,", "\"round\":1,\"round\":7,"));
        Files.write(file, lines);
        assertEquals(1, verify(file).entries(), verify(file).problem());
        Files.write(file, new byte[0]);
        AuditVerifier.Result empty = verify(file);
        assertFalse(empty.intact());
        assertTrue(empty.problem().contains("the start, is missing"), empty.problem());
    }

    @Test
    void aResumeDiscardsEntriesNoSignatureCovers() throws Exception {
        Path file = written(1);
        // someone without the key appends a well-formed, hash-linked entry after the signed end
        List<String> lines = Files.readAllLines(file);
        com.fasterxml.jackson.databind.JsonNode last = new com.fasterxml.jackson.databind.ObjectMapper().readTree(lines.get(lines.size() - 1));
        String prefix = "{\"seq\":" + lines.size() + ",\"time\":\"2026-12-07T00:00:00Z\",\"type\":\"insight\",\"accepted\":true,\"prev\":\""
                + last.get("hash").asText() + "\"";
        String forged = prefix + ",\"hash\":\"" + AuditTrail.sha256(prefix.getBytes(StandardCharsets.UTF_8)) + "\"}\n";
        Files.writeString(file, forged, java.nio.file.StandardOpenOption.APPEND);
        assertTrue(verify(file).unsignedTail(), verify(file).problem());
        try (AuditLog log = open(1)) {
            log.record("end", Map.of());
        }
        String text = Files.readString(file);
        assertFalse(text.contains(prefix), "the forged entry is gone");
        assertTrue(text.contains("\"discardedBytes\":" + forged.getBytes(StandardCharsets.UTF_8).length), text);
        assertTrue(verify(file).intact(), verify(file).problem());
    }

    @Test
    void aResumedLogContinuesTheChainAndDropsALineCutShortSayingSo() throws Exception {
        Path file = written(2);
        String cut = "{\"seq\":4,\"time\":\"2026-12-07T00:00:00Z\",\"type\":\"insi";
        Files.writeString(file, cut, java.nio.file.StandardOpenOption.APPEND);
        AuditVerifier.Result before = verify(file);
        assertTrue(before.onlyTailCut());
        assertTrue(before.problem().contains("cut short"), before.problem());
        try (AuditLog log = open(3)) {
            log.record("round", Map.of("round", 4));
        }
        AuditVerifier.Result r = verify(file);
        assertTrue(r.intact(), r.problem());
        assertEquals(6, r.entries());
        String resume = Files.readAllLines(file).get(4);
        assertTrue(resume.contains("\"type\":\"resume\"") && resume.contains("\"afterRound\":3")
                && resume.contains("\"discardedBytes\":" + cut.length()), resume);
        assertTrue(resume.contains(AuditTrail.sha256(cut.getBytes(StandardCharsets.UTF_8))), resume);
    }

    @Test
    void aBrokenLogRefusesTheResumeAndIsLeftAsItWas() throws Exception {
        Path file = written(2);
        List<String> lines = new ArrayList<>(Files.readAllLines(file));
        lines.set(1, lines.get(1).replace("c0", "c9"));
        Files.write(file, lines);
        byte[] bytes = Files.readAllBytes(file);
        UserException e = assertThrows(UserException.class, () -> open(3));
        assertTrue(e.getMessage().contains("entry 1 (line 2)"), e.getMessage());
        assertArrayEquals(bytes, Files.readAllBytes(file));
    }

    @Test
    void aConfiguredKeyPairSignsAndAMismatchedOneIsRefused() throws Exception {
        KeyPair pair = AuditKeys.generate();
        AuditKeys.writePrivate(dir.resolve("coordinator.key"), pair.getPrivate());
        AuditKeys.writePublic(dir.resolve("coordinator.pub"), pair.getPublic());
        Path run = Files.createDirectory(dir.resolve("run"));
        try (AuditLog log = AuditLog.open(run, new AuditConfig(true, "coordinator.key", "coordinator.pub"), dir, Map.of(), -1,
                Clock.systemUTC())) {
            log.record("end", Map.of());
        }
        assertFalse(Files.exists(run.resolve(AuditLog.PRIVATE_KEY)), "the configured key is not copied into the run folder");
        assertTrue(AuditVerifier.verify(run.resolve(AuditLog.FILE), pair.getPublic()).intact());
        AuditKeys.writePublic(dir.resolve("other.pub"), AuditKeys.generate().getPublic());
        Path run2 = Files.createDirectory(dir.resolve("run2"));
        UserException e = assertThrows(UserException.class, () -> AuditLog.open(run2,
                new AuditConfig(true, "coordinator.key", "other.pub"), dir, Map.of(), -1, Clock.systemUTC()));
        assertTrue(e.getMessage().contains("is not the public key of"), e.getMessage());
        Files.writeString(dir.resolve("junk.key"), "not a key");
        UserException junk = assertThrows(UserException.class, () -> AuditLog.open(run2,
                new AuditConfig(true, "junk.key", "other.pub"), dir, Map.of(), -1, Clock.systemUTC()));
        assertTrue(junk.getMessage().contains("privacy.audit.key"), junk.getMessage());
    }
}
