package io.scarcity.network.certs;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scarcity.network.transport.TlsFiles;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The federation's CA and participants' certificates, checked with the JDK's own X.509 code. */
class CertificatesTest {
    @TempDir
    Path tmp;

    @Test
    void aCaSignsCoordinatorAndClientCertificates() throws Exception {
        Certificates.Authority ca = Certificates.createAuthority(tmp.resolve("ca"), "hospitals");
        X509Certificate root = ca.certificate();
        root.verify(root.getPublicKey());
        assertTrue(root.getBasicConstraints() >= 0, "the CA certificate is a CA's");
        assertEquals("hospitals CA", Certificates.commonName(root));

        TlsFiles coordinator = ca.issueCoordinator(tmp.resolve("coordinator"), List.of("fl.example.org", "10.1.2.3"));
        assertEquals(TlsFiles.inDirectory(tmp.resolve("coordinator")), coordinator);
        X509Certificate c = Certificates.readCertificate(coordinator.certificateChain());
        c.verify(root.getPublicKey());
        c.checkValidity();
        assertEquals(-1, c.getBasicConstraints(), "a participant's certificate is not a CA's");
        assertEquals("coordinator", Certificates.commonName(c));
        Set<String> names = new TreeSet<>();
        c.getSubjectAlternativeNames().forEach(n -> names.add(n.get(0) + ":" + n.get(1)));
        assertEquals(Set.of("2:localhost", "7:127.0.0.1", "2:fl.example.org", "7:10.1.2.3"), names);
        assertTrue(c.getExtendedKeyUsage().containsAll(List.of("1.3.6.1.5.5.7.3.1", "1.3.6.1.5.5.7.3.2")), "server and client auth");
        assertArrayEquals(root.getEncoded(), Certificates.readCertificate(coordinator.caCertificate()).getEncoded());

        TlsFiles client = ca.issueClient(tmp.resolve("clients").resolve("hospital-a"), "hospital-a");
        X509Certificate k = Certificates.readCertificate(client.certificateChain());
        k.verify(root.getPublicKey());
        assertEquals("hospital-a", Certificates.commonName(k));
        assertEquals(null, k.getSubjectAlternativeNames());
        assertTrue(Files.readString(client.privateKey()).startsWith("-----BEGIN PRIVATE KEY-----"), "PKCS#8 PEM");
        Certificates.readPrivateKey(client.privateKey());
        if (tmp.getFileSystem().supportedFileAttributeViews().contains("posix")) {
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(client.privateKey())));
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(tmp.resolve("ca").resolve(Certificates.CA_KEY))));
        }
        // the CA's key stays in the CA's folder
        assertTrue(Files.notExists(tmp.resolve("coordinator").resolve(Certificates.CA_KEY)));
        assertTrue(Files.notExists(tmp.resolve("clients").resolve("hospital-a").resolve(Certificates.CA_KEY)));
    }

    @Test
    void aSavedCaEnrolsMoreParticipantsLater() throws Exception {
        Certificates.Authority ca = Certificates.createAuthority(tmp.resolve("ca"), "hospitals");
        Certificates.Authority again = Certificates.loadAuthority(tmp.resolve("ca"));
        assertArrayEquals(ca.certificate().getEncoded(), again.certificate().getEncoded());
        assertEquals("hospitals", again.federation());
        TlsFiles late = again.issueClient(tmp.resolve("late"), "hospital-z");
        Certificates.readCertificate(late.certificateChain()).verify(ca.certificate().getPublicKey());
    }

    @Test
    void nothingIsOverwrittenAndKeysMustMatch() throws Exception {
        Certificates.Authority ca = Certificates.createAuthority(tmp.resolve("ca"), "hospitals");
        assertThrows(FileAlreadyExistsException.class, () -> Certificates.createAuthority(tmp.resolve("ca"), "hospitals"));
        ca.issueClient(tmp.resolve("a"), "hospital-a");
        assertThrows(FileAlreadyExistsException.class, () -> ca.issueClient(tmp.resolve("a"), "hospital-a"));

        // a folder holding another CA's certificate is not mixed with this one's
        Certificates.Authority other = Certificates.createAuthority(tmp.resolve("other"), "elsewhere");
        Files.createDirectories(tmp.resolve("b"));
        Files.copy(tmp.resolve("other").resolve(Certificates.CA_CERTIFICATE), tmp.resolve("b").resolve(TlsFiles.CA_CERTIFICATE));
        assertTrue(assertThrows(java.io.IOException.class, () -> ca.issueClient(tmp.resolve("b"), "hospital-b"))
                .getMessage().contains("another CA"));

        // a CA folder whose key is not its certificate's
        Files.delete(tmp.resolve("other").resolve(Certificates.CA_KEY));
        Files.copy(tmp.resolve("ca").resolve(Certificates.CA_KEY), tmp.resolve("other").resolve(Certificates.CA_KEY));
        assertTrue(assertThrows(java.io.IOException.class, () -> Certificates.loadAuthority(tmp.resolve("other")))
                .getMessage().contains("is not the key of"));
        assertEquals("elsewhere CA", Certificates.commonName(other.certificate()));

        assertThrows(IllegalArgumentException.class, () -> ca.issueClient(tmp.resolve("c"), " "));
    }
}
