package io.scarcity.network.seal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scarcity.network.certs.Certificates;
import io.scarcity.network.transport.TlsFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SealTest {
    static final String RUN = "run-1";
    static final SealContext CONTEXT = new SealContext(RUN, 3, "coast-0", "inland-1", "stat-fast", true);
    static final byte[] STATE = "the state of coast-0's stat-fast expert: 0.125 0.25 0.5".getBytes(StandardCharsets.UTF_8);

    @TempDir
    Path tmp;

    @Test
    void hkdfMatchesRfc5869TestCase1() throws Exception {
        HexFormat hex = HexFormat.of();
        byte[] okm = Hkdf.derive(hex.parseHex("000102030405060708090a0b0c"), hex.parseHex("0b".repeat(22)),
                hex.parseHex("f0f1f2f3f4f5f6f7f8f9"), 42);
        assertEquals("3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865", hex.formatHex(okm));
    }

    @Test
    void aSealedStateOpensForItsPeerOnlyAndLooksNothingLikeThePlaintext() throws Exception {
        GossipKeys a = GossipKeys.generate(RUN, null);
        GossipKeys b = GossipKeys.generate(RUN, null);
        PeerKey bForA = a.verify(b.announcement());
        PeerKey aForB = b.verify(a.announcement());
        assertNull(aForB.identity(), "an unsigned key has no identity");
        byte[] sealed = a.seal(bForA, CONTEXT, STATE);
        assertEquals(STATE.length + Seal.OVERHEAD, sealed.length);
        assertArrayEquals(STATE, b.open(aForB, CONTEXT, sealed));
        assertFalse(new String(sealed, StandardCharsets.ISO_8859_1).contains("stat-fast"));
        byte[] again = a.seal(bForA, CONTEXT, STATE);
        assertFalse(java.util.Arrays.equals(sealed, again), "a fresh nonce each time");
        assertArrayEquals(STATE, b.open(aForB, CONTEXT, again));
        // both directions share the agreement but not the key: b's reply opens at a, not the other way round
        byte[] reply = b.seal(aForB, CONTEXT.reversed(), STATE);
        assertArrayEquals(STATE, a.open(bForA, CONTEXT.reversed(), reply));
        assertThrows(SealException.class, () -> a.open(bForA, CONTEXT, reply));
    }

    @Test
    void anyAlteredByteIsRefused() throws Exception {
        GossipKeys a = GossipKeys.generate(RUN, null);
        GossipKeys b = GossipKeys.generate(RUN, null);
        byte[] sealed = a.seal(a.verify(b.announcement()), CONTEXT, STATE);
        PeerKey aForB = b.verify(a.announcement());
        for (int i = 0; i < sealed.length; i++) {
            byte[] altered = sealed.clone();
            altered[i] ^= 0x01;
            SealException e = assertThrows(SealException.class, () -> b.open(aForB, CONTEXT, altered), "byte " + i);
            assertTrue(e.getMessage().contains("does not open") && e.getMessage().contains("coast-0 -> inland-1, expert stat-fast"),
                    e.getMessage());
        }
        assertThrows(SealException.class, () -> b.open(aForB, CONTEXT, java.util.Arrays.copyOf(sealed, sealed.length - 1)));
        assertThrows(SealException.class, () -> b.open(aForB, CONTEXT, new byte[10]));
    }

    @Test
    void aStateSealedToAnotherKeyOrForAnotherContextDoesNotOpen() throws Exception {
        GossipKeys a = GossipKeys.generate(RUN, null);
        GossipKeys b = GossipKeys.generate(RUN, null);
        GossipKeys c = GossipKeys.generate(RUN, null);
        byte[] sealed = a.seal(a.verify(b.announcement()), CONTEXT, STATE);
        // the wrong receiver, or the right receiver believing it came from someone else
        assertThrows(SealException.class, () -> c.open(c.verify(a.announcement()), CONTEXT, sealed));
        assertThrows(SealException.class, () -> b.open(b.verify(c.announcement()), CONTEXT, sealed));
        PeerKey aForB = b.verify(a.announcement());
        for (SealContext other : List.of(
                new SealContext("run-2", 3, "coast-0", "inland-1", "stat-fast", true),
                new SealContext(RUN, 4, "coast-0", "inland-1", "stat-fast", true),
                new SealContext(RUN, 3, "coast-1", "inland-1", "stat-fast", true),
                new SealContext(RUN, 3, "coast-0", "inland-0", "stat-fast", true),
                new SealContext(RUN, 3, "inland-1", "coast-0", "stat-fast", false),
                new SealContext(RUN, 3, "coast-0", "inland-1", "stat-slow", true),
                CONTEXT.reversed())) {
            assertThrows(SealException.class, () -> b.open(aForB, other, sealed), other.toString());
        }
        assertArrayEquals(STATE, b.open(aForB, CONTEXT, sealed));
    }

    @Test
    void withMutualTlsOnlyKeysSignedForThisRunByHostsOfTheFederationAreAccepted() throws Exception {
        Certificates.Authority ca = Certificates.createAuthority(tmp.resolve("ca"), "federation");
        HostIdentity hostA = HostIdentity.load(ca.issueClient(tmp.resolve("a"), "host-a"));
        HostIdentity hostB = HostIdentity.load(ca.issueClient(tmp.resolve("b"), "host-b"));
        HostIdentity coordinator = HostIdentity.load(ca.issueCoordinator(tmp.resolve("coordinator"), List.of()));
        Certificates.Authority otherCa = Certificates.createAuthority(tmp.resolve("other-ca"), "federation");
        HostIdentity stranger = HostIdentity.load(otherCa.issueClient(tmp.resolve("x"), "host-a"));

        GossipKeys a = GossipKeys.generate(RUN, hostA);
        GossipKeys b = GossipKeys.generate(RUN, hostB);
        assertTrue(a.announcement().signed());
        PeerKey aForB = b.verify(a.announcement());
        assertEquals("host-a", aForB.identity());
        assertArrayEquals(STATE, b.open(aForB, CONTEXT, a.seal(a.verify(b.announcement()), CONTEXT, STATE)));

        KeyAnnouncement real = a.announcement();
        byte[] substitute = GossipKeys.generate(RUN, null).announcement().publicKey();
        refused(b, new KeyAnnouncement(substitute, real.certificateChain(), real.signature()), "does not verify");
        refused(b, GossipKeys.generate(RUN, stranger).announcement(), "did not issue");
        refused(b, GossipKeys.generate(RUN, coordinator).announcement(), "coordinator's certificate");
        refused(b, GossipKeys.generate(RUN, null).announcement(), "not signed");
        refused(b, GossipKeys.generate("another-run", hostA).announcement(), "does not verify");
        refused(b, new KeyAnnouncement(real.publicKey(), List.of(), real.signature()), "no certificate");
        refused(b, new KeyAnnouncement(new byte[] {1, 2, 3}, real.certificateChain(), real.signature()), "not an X25519 key");

        // without a TLS identity (--insecure) nothing can be checked: any key is taken
        GossipKeys insecure = GossipKeys.generate(RUN, null);
        assertNull(insecure.verify(GossipKeys.generate(RUN, null).announcement()).identity());
    }

    private static void refused(GossipKeys verifier, KeyAnnouncement announcement, String why) {
        SealException e = assertThrows(SealException.class, () -> verifier.verify(announcement));
        assertTrue(e.getMessage().contains(why), e.getMessage());
    }

    @Test
    void tlsFilesThatDoNotFitTogetherAreRefusedWhenLoaded() throws Exception {
        Certificates.Authority ca = Certificates.createAuthority(tmp.resolve("ca"), "federation");
        TlsFiles a = ca.issueClient(tmp.resolve("a"), "host-a");
        TlsFiles b = ca.issueClient(tmp.resolve("b"), "host-b");
        Certificates.Authority other = Certificates.createAuthority(tmp.resolve("other"), "federation");
        TlsFiles x = other.issueClient(tmp.resolve("x"), "host-x");
        assertLoadFails(new TlsFiles(a.caCertificate(), a.certificateChain(), b.privateKey()), "is not the key of");
        assertLoadFails(new TlsFiles(a.caCertificate(), x.certificateChain(), x.privateKey()), "do not fit together");
        assertLoadFails(new TlsFiles(a.caCertificate(), a.certificateChain(), tmp.resolve("missing.pem")), "does not exist");
        copy(a, tmp.resolve("a2"), dir -> {
            try {
                Files.writeString(dir.resolve("cert.pem"), "not a certificate");
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        assertLoadFails(TlsFiles.inDirectory(tmp.resolve("a2")), "cert.pem");
    }

    private static void assertLoadFails(TlsFiles files, String why) {
        Exception e = assertThrows(Exception.class, () -> HostIdentity.load(files));
        assertTrue(e.getMessage().contains(why), e.getMessage());
    }

    private static void copy(TlsFiles from, Path dir, Consumer<Path> change) throws IOException {
        Files.createDirectories(dir);
        Files.copy(from.caCertificate(), dir.resolve("ca.pem"));
        Files.copy(from.certificateChain(), dir.resolve("cert.pem"));
        Files.copy(from.privateKey(), dir.resolve("key.pem"));
        change.accept(dir);
    }
}
