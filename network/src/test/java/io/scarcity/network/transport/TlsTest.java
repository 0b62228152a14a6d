package io.scarcity.network.transport;

import static io.scarcity.network.transport.Fixtures.WAIT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scarcity.network.certs.Certificates;
import io.scarcity.network.proto.Reply;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Mutual TLS with certificates from {@link Certificates}: enrolled hosts join, others never reach the coordinator. */
class TlsTest {
    @TempDir
    Path tmp;
    Certificates.Authority ca;
    CoordinatorServer server;
    Fixtures.Listener listener = new Fixtures.Listener();
    HostConnection connection;

    @BeforeEach
    void federation() throws Exception {
        ca = Certificates.createAuthority(tmp.resolve("ca"), "test federation");
        TlsFiles coordinator = ca.issueCoordinator(tmp.resolve("coordinator"), List.of());
        server = CoordinatorServer.start(CoordinatorServer.Settings.loopback(0, ChannelSecurity.mutualTls(coordinator)), listener);
    }

    @AfterEach
    void stop() {
        if (connection != null) {
            connection.close();
        }
        server.close();
    }

    HostConnection.Settings settings(TlsFiles files) {
        return HostConnection.Settings.of("127.0.0.1:" + server.port(), ChannelSecurity.mutualTls(files))
                .withBackoff(Duration.ofMillis(20), Duration.ofMillis(50));
    }

    static Throwable failure(CompletableFuture<?> f) {
        return assertThrows(ExecutionException.class, () -> f.get(WAIT.toMillis(), TimeUnit.MILLISECONDS)).getCause();
    }

    @Test
    void anEnrolledHostJoinsUnderItsCertificatesName() throws Exception {
        TlsFiles files = ca.issueClient(tmp.resolve("hospital-a"), "hospital-a");
        connection = HostConnection.connect(settings(files), Fixtures.hello("machine-1", "hospital-a"), new Fixtures.Handler());
        connection.welcomed().get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        ConnectedHost host = listener.nextReady();
        assertEquals("hospital-a", host.identity().orElseThrow(), "the coordinator knows whom the CA enrolled");
        Reply r = host.call(Fixtures.signals("hospital-a")).get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        assertTrue(r.hasSignals());
        assertEquals(0, server.failedHandshakes());
    }

    @Test
    void aHostEnrolledByAnotherCaIsRefusedBeforeItsHello() throws Exception {
        Certificates.Authority stranger = Certificates.createAuthority(tmp.resolve("stranger-ca"), "another federation");
        TlsFiles files = stranger.issueClient(tmp.resolve("intruder"), "hospital-a");
        // it trusts this federation's CA, so it would accept the coordinator: only its own certificate is wrong
        TlsFiles trustingOurs = new TlsFiles(tmp.resolve("coordinator").resolve(TlsFiles.CA_CERTIFICATE),
                files.certificateChain(), files.privateKey());
        connection = HostConnection.connect(settings(trustingOurs), Fixtures.hello("machine-2", "hospital-a"), new Fixtures.Handler());

        TlsRejectedException rejected = assertInstanceOf(TlsRejectedException.class, failure(connection.welcomed()));
        assertTrue(rejected.getMessage().contains("not enrolled in this federation"), rejected.getMessage());
        assertInstanceOf(TlsRejectedException.class, failure(connection.finished()));
        assertTrue(listener.hellos.isEmpty(), "the coordinator never saw its Hello");
        assertTrue(server.hosts().isEmpty());
        for (long end = System.nanoTime() + WAIT.toNanos(); server.failedHandshakes() < HostConnection.TLS_ATTEMPTS
                && System.nanoTime() < end; ) {
            Thread.sleep(10);
        }
        Thread.sleep(200);
        assertEquals(HostConnection.TLS_ATTEMPTS, server.failedHandshakes(),
                "the coordinator noticed (and logged) each attempt; the host gave up after " + HostConnection.TLS_ATTEMPTS);
    }

    @Test
    void aHostThatDoesNotTrustTheCoordinatorStops() throws Exception {
        Certificates.Authority stranger = Certificates.createAuthority(tmp.resolve("stranger-ca"), "another federation");
        TlsFiles files = stranger.issueClient(tmp.resolve("lost"), "hospital-b");
        connection = HostConnection.connect(settings(files), Fixtures.hello("machine-3", "hospital-b"), new Fixtures.Handler());
        assertInstanceOf(TlsRejectedException.class, failure(connection.welcomed()));
        assertTrue(listener.hellos.isEmpty());
    }

    @Test
    void tlsFilesMustExist() {
        TlsFiles missing = TlsFiles.inDirectory(tmp.resolve("nowhere"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> HostConnection.connect(settings(missing), Fixtures.hello("m", "x"), new Fixtures.Handler()));
        assertTrue(e.getMessage().contains("ca.pem") && e.getMessage().contains("does not exist"), e.getMessage());
    }
}
