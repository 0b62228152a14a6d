package io.scarcity.network.federation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scarcity.runtime.UserException;
import io.scarcity.runtime.config.ConfigLoader;
import io.scarcity.runtime.config.RunConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The book of which identity took which clients: ranges bound to their first identity, kept and read back. */
class EnrolmentTest {
    @TempDir
    Path tmp;

    static RunConfig quickstart() {
        Path dir = Path.of("").toAbsolutePath();
        while (!Files.isDirectory(dir.resolve("configs"))) {
            dir = dir.getParent();
        }
        return ConfigLoader.load(dir.resolve("configs/quickstart.yaml"), Map.of(), List.of()).config();
    }

    @Test
    void aRangeGoesBackOnlyToTheIdentityThatHostedItAndOnlyWhole() {
        Enrolment book = new Enrolment(new RealClientSlots(quickstart()));
        assertNull(book.claimRange(0, 2, "host-1"));
        assertNull(book.claimRange(2, 5, "host-2"));
        assertNull(book.claimRange(0, 2, "host-1"), "the same identity takes its range back");
        String stolen = book.claimRange(0, 2, "host-3");
        assertTrue(stolen.contains("were hosted by the certificate of 'host-1'") && stolen.contains("host-3"), stolen);
        String split = book.claimRange(2, 3, "host-2");
        assertTrue(split.contains("must ask for exactly --simulate 2-4"), split);
        String plain = book.claimRange(0, 2, null);
        assertTrue(plain.contains("this host has a host without a certificate (--insecure)"), plain);
    }

    @Test
    void theBookIsKeptInTheRunFolderAndAResumeBindsTheSameIdentities() throws Exception {
        Enrolment book = new Enrolment(new RealClientSlots(quickstart()));
        assertNull(book.claimRange(0, 2, "host-1"));
        book.keepIn(tmp);
        assertNull(book.claimRange(2, 5, null));
        String text = Files.readString(tmp.resolve(Enrolment.FILE));
        assertTrue(text.contains("\"identity\" : \"host-1\"") && text.contains("\"to\" : 5"), text);

        Enrolment resumed = new Enrolment(new RealClientSlots(quickstart()));
        resumed.restore(tmp);
        assertTrue(resumed.claimRange(0, 2, "host-9").contains("'host-1'"));
        assertNull(resumed.claimRange(0, 2, "host-1"));
        assertNull(resumed.claimRange(2, 5, null));
        assertEquals(text, Files.readString(tmp.resolve(Enrolment.FILE)), "a resume changes nothing in the book");
    }

    @Test
    void aMissingOrDamagedBookStopsAResumeNamingTheFile() throws Exception {
        Enrolment book = new Enrolment(new RealClientSlots(quickstart()));
        UserException missing = assertThrows(UserException.class, () -> book.restore(tmp));
        assertTrue(missing.getMessage().contains("has no hosts.json"), missing.getMessage());
        Files.writeString(tmp.resolve(Enrolment.FILE), "{\"format\": 1, \"ranges\": [{\"from\": 3, \"to\": 1}]}");
        UserException damaged = assertThrows(UserException.class, () -> book.restore(tmp));
        assertTrue(damaged.getMessage().contains("cannot read") && damaged.getMessage().contains("hosts.json"), damaged.getMessage());
        Files.writeString(tmp.resolve(Enrolment.FILE), "{\"format\": 1, \"ranges\": [], \"realClients\": [{\"client\": \"coast-0\", "
                + "\"name\": \"a\"}]}");
        UserException misfit = assertThrows(UserException.class, () -> new Enrolment(new RealClientSlots(quickstart())).restore(tmp));
        assertTrue(misfit.getMessage().contains("slot coast-0 of client 'a' does not fit this run"), misfit.getMessage());
    }
}
