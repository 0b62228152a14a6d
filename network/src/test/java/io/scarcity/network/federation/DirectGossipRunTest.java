package io.scarcity.network.federation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scarcity.network.certs.Certificates;
import io.scarcity.network.proto.Call;
import io.scarcity.network.proto.Ready;
import io.scarcity.network.proto.Reply;
import io.scarcity.network.proto.SealedState;
import io.scarcity.network.proto.Welcome;
import io.scarcity.network.transport.ChannelSecurity;
import io.scarcity.network.transport.HostConnection;
import io.scarcity.network.transport.TlsFiles;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Function;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hosts that listen for their gossip peers exchange states directly, host to host: the coordinator relays no
 * state, the run's metrics stay byte-identical to the in-process engine's, and a pair whose direct exchange cannot
 * happen (nobody at the address, a certificate other than the one that signed the peer's gossip key) is relayed
 * sealed instead, with a warning naming the address.
 */
class DirectGossipRunTest {
    /** Clients 0 | 1, 2 | 3, 4: ring pairs cross hosts both ways and stay within one. */
    static final int[] THREE_HOSTS = {0, 1, 3, 5};

    @TempDir
    Path tmp;
    @TempDir
    static Path shared;
    static Path local;
    SealedGossipRunTest runs;

    @BeforeAll
    static void inProcess() throws Exception {
        SealedGossipRunTest.load();
        SealedGossipRunTest base = new SealedGossipRunTest();
        base.tmp = shared;
        local = NetworkedRunTest.inProcess(base.config("local", SealedGossipRunTest.RING));
    }

    @AfterAll
    static void close() {
        SealedGossipRunTest.close();
    }

    @BeforeEach
    void runs() {
        runs = new SealedGossipRunTest();
        runs.tmp = tmp;
    }

    /** A relay that records every sealed state the coordinator forwards. */
    static Consumer<RemoteFleet> recording(List<byte[]> relayed) {
        return fleet -> fleet.sealedGossip().relay(new SealedGossip.Relay() {
            @Override
            public SealedState state(RemoteClient from, RemoteClient to, SealedState state) {
                relayed.add(state.getSealed().toByteArray());
                return state;
            }
        });
    }

    /** Each host's setup before it connects, by its index. */
    interface Setup {
        HostConnection.Handler apply(int index, SimulationHost host) throws Exception;
    }

    static Function<SimulationHost, HostConnection.Handler> each(Setup setup) {
        AtomicInteger next = new AtomicInteger();
        return host -> {
            try {
                return setup.apply(next.getAndIncrement(), host);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        };
    }

    List<TlsFiles> enrol(int hosts) throws Exception {
        Certificates.Authority ca = Certificates.createAuthority(tmp.resolve("ca"), "test federation");
        List<TlsFiles> files = new ArrayList<>(List.of(ca.issueCoordinator(tmp.resolve("coordinator"), List.of())));
        for (int h = 0; h < hosts; h++) {
            files.add(ca.issueClient(tmp.resolve("h" + h), "host-" + h));
        }
        return files;
    }

    @Test
    void hostsThatListenForPeersGossipDirectlyOverMutualTlsAndTheCoordinatorRelaysNoState() throws Exception {
        List<TlsFiles> tls = enrol(3);
        List<byte[]> relayed = Collections.synchronizedList(new ArrayList<>());
        SealedGossipRunTest.Networked remote = runs.networked(runs.config("remote", SealedGossipRunTest.RING), THREE_HOSTS,
                ChannelSecurity.mutualTls(tls.get(0)), tls.subList(1, 4), recording(relayed), each((h, host) -> {
                    host.listenForPeers("127.0.0.1", 0, null, ChannelSecurity.mutualTls(tls.get(h + 1)));
                    return host;
                }));
        SealedGossipRunTest.assertSameOutputs(local, remote.dir());
        SealedGossip.Totals t = remote.totals();
        assertTrue(t.directPairs() >= 8 && t.localPairs() >= 8, "every round has pairs across hosts and within one: " + t);
        assertEquals(0, t.sealedPairs() + t.relayedBytes() + t.fallbackPairs() + t.skippedPairs() + t.clearPairs(), t.toString());
        assertEquals(0, relayed.size(), "no state passed the coordinator");
        assertTrue(t.directBytes() > 0, t.toString());
        String log = Files.readString(remote.dir().resolve("run.log"), StandardCharsets.UTF_8);
        assertTrue(log.contains("pairs direct host to host (") && log.contains(" 0 pairs relayed sealed (0 bytes relayed"), log);
    }

    /** Plaintext hosts; one advertises an address nobody listens on: its pairs are relayed, the others go direct. */
    @Test
    void aPeerAddressNobodyListensOnFallsBackToTheRelayWithAWarningNamingIt() throws Exception {
        int dead;
        try (ServerSocket s = new ServerSocket(0)) {
            dead = s.getLocalPort();
        }
        String nowhere = "127.0.0.1:" + dead;
        List<byte[]> relayed = Collections.synchronizedList(new ArrayList<>());
        SealedGossipRunTest.Networked remote = runs.networked(runs.config("remote", SealedGossipRunTest.RING), THREE_HOSTS,
                ChannelSecurity.insecure(), null, recording(relayed), each((h, host) -> {
                    host.listenForPeers("127.0.0.1", 0, h == 1 ? nowhere : null, ChannelSecurity.insecure());
                    return host;
                }));
        SealedGossipRunTest.assertSameOutputs(local, remote.dir());
        SealedGossip.Totals t = remote.totals();
        assertTrue(t.fallbackPairs() >= 1 && t.sealedPairs() >= t.fallbackPairs() && t.directPairs() >= 8, t.toString());
        assertEquals(0, t.skippedPairs() + t.clearPairs(), t.toString());
        assertEquals(relayed.stream().mapToLong(b -> b.length).sum(), t.relayedBytes());
        String log = Files.readString(remote.dir().resolve("run.log"), StandardCharsets.UTF_8);
        assertTrue(log.contains("(peer address " + nowhere + "): the gossip peer at " + nowhere + " could not be reached directly: UNAVAILABLE")
                && log.contains("their pairs are relayed sealed from now on"), log);
    }

    /**
     * Host 1 serves its peers with host 2's certificate while its gossip key is signed with its own, and host 0 dials
     * with host 2's certificate: whoever dials host 1 refuses it, and host 2 refuses host 0. Those pairs are relayed;
     * host 1 dialling host 2 goes direct; the run is byte-identical.
     */
    @Test
    void aPeerPresentingAnotherCertificateThanTheOneThatSignedItsKeyIsRefused() throws Exception {
        List<TlsFiles> tls = enrol(3);
        TlsFiles other = tls.get(3);
        SealedGossipRunTest.Networked remote = runs.networked(runs.config("remote", SealedGossipRunTest.RING), THREE_HOSTS,
                ChannelSecurity.mutualTls(tls.get(0)), tls.subList(1, 4), f -> { }, each((h, host) -> {
                    if (h == 1) {
                        host.listenForPeers("127.0.0.1", 0, null, ChannelSecurity.mutualTls(other));
                    } else if (h == 2) {
                        host.listenForPeers("127.0.0.1", 0, null, ChannelSecurity.mutualTls(tls.get(3)));
                    }
                    return h == 0 ? dialsWith(host, other) : host;
                }));
        SealedGossipRunTest.assertSameOutputs(local, remote.dir());
        SealedGossip.Totals t = remote.totals();
        assertTrue(t.fallbackPairs() >= 2 && t.directPairs() >= 1 && t.sealedPairs() >= 2, t.toString());
        assertEquals(0, t.skippedPairs() + t.clearPairs(), t.toString());
        String log = Files.readString(remote.dir().resolve("run.log"), StandardCharsets.UTF_8);
        assertTrue(log.contains("presented the certificate of 'CN=host-2,O=test federation', not the one that signed its gossip key"
                + " ('CN=host-1,O=test federation')"), log);
        assertTrue(log.contains("is with the host whose certificate signed its gossip key ('CN=host-0,O=test federation'); this peer"
                + " presented 'CN=host-2,O=test federation'"), log);
    }

    /**
     * A host whose gossip key is signed with its own certificate (at the welcome) but that dials its peers with
     * {@code tls}: as a host would whose peer connections carry another certificate.
     */
    static HostConnection.Handler dialsWith(SimulationHost host, TlsFiles tls) {
        return new HostConnection.Handler() {
            @Override
            public Ready welcomed(Welcome welcome) throws Exception {
                Ready ready = host.welcomed(welcome);
                host.sealGossipWith(tls);
                return ready;
            }

            @Override
            public Reply handle(Call call) throws Exception {
                return host.handle(call);
            }
        };
    }
}
