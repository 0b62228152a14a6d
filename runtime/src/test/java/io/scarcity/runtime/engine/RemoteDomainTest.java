package io.scarcity.runtime.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scarcity.api.Batch;
import io.scarcity.api.ConfigException;
import io.scarcity.runtime.config.ConfigLoader;
import io.scarcity.runtime.config.LoadedConfig;
import io.scarcity.runtime.plugin.PluginRegistry;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Domains whose clients are real clients ({@code stream: {type: remote}}): what the config accepts, that only a
 * networked coordinator runs them, and the one-client fleet a real client builds with its own stream.
 */
class RemoteDomainTest {
    static final String EXPERTS = "experts:\n  - plugin: statistical\n";

    static LoadedConfig parse(String domains) {
        return ConfigLoader.parse("name: t\nrounds: 3\nbatchSize: 10\nbatchesPerRound: 2\ndomains:\n" + domains + EXPERTS,
                "t.yaml", Path.of("."), Map.of(), List.of());
    }

    @Test
    void aRemoteDomainHasSlotsAndNothingElse() {
        LoadedConfig ok = parse("  - {name: ward, clients: 2, stream: {type: remote}}\n");
        assertTrue(ok.config().domains().get(0).remote());
        assertEquals(2, ok.config().totalClients());

        ConfigException keys = assertThrows(ConfigException.class,
                () -> parse("  - {name: ward, clients: 2, stream: {type: remote, path: x.csv}}\n"));
        assertEquals("domains[0].stream", keys.path());
        assertTrue(keys.getMessage().contains("a remote stream has no other keys") && keys.getMessage().contains("remove path"),
                keys.getMessage());
        ConfigException partition = assertThrows(ConfigException.class,
                () -> parse("  - {name: ward, clients: 2, stream: {type: remote}, partition: {type: iid}}\n"));
        assertEquals("domains[0].partition", partition.path());

        ConfigException mixed = assertThrows(ConfigException.class,
                () -> parse("  - {name: ward, clients: 2, stream: {type: remote}}\n  - {name: lab, clients: 1, stream: {type: sea}}\n"));
        assertEquals("domains[1].stream.type", mixed.path());
        assertTrue(mixed.getMessage().contains("domain 'ward' has real clients (stream type remote) and domain 'lab' simulated ones"
                + " (stream type sea); a run has one kind or the other"), mixed.getMessage());
    }

    @Test
    void theInProcessEngineRefusesARemoteDomainNamingTheCoordinator() {
        LoadedConfig remote = parse("  - {name: ward, clients: 2, stream: {type: remote}}\n");
        try (PluginRegistry registry = PluginRegistry.load(null, RemoteDomainTest.class.getClassLoader())) {
            ConfigException e = assertThrows(ConfigException.class, () -> new InProcessEngine(remote, registry).close());
            assertEquals("domains[0].stream.type", e.path());
            assertTrue(e.reason().contains("this config runs only as a networked federation: scarcity coordinator CONFIG"),
                    e.getMessage());
        }
    }

    /** A real client's fleet: one client with the slot's id, its own stream whole, a generator seeded by the slot. */
    @Test
    void aRealClientsFleetIsItsSlotWithItsOwnStream() {
        LoadedConfig one = parse("  - {name: ward, clients: 1, stream: {type: sea, concept: 1}}\n");
        LoadedConfig two = parse("  - {name: ward, clients: 2, stream: {type: sea}}\n");
        try (PluginRegistry registry = PluginRegistry.load(null, RemoteDomainTest.class.getClassLoader())) {
            Assembly assembly = new Assembly(one.config(), registry);
            assertThrows(IllegalArgumentException.class, () -> LocalFleet.ownStream(two.config(), assembly, Path.of("."), "ward-0"));
            try (LocalFleet a = LocalFleet.ownStream(one.config(), assembly, Path.of("."), "ward-0");
                 LocalFleet b = LocalFleet.ownStream(one.config(), assembly, Path.of("."), "ward-1");
                 LocalFleet sameA = LocalFleet.ownStream(one.config(), assembly, Path.of("."), "ward-0")) {
                assertEquals(List.of("ward-1"), b.clients().stream().map(c -> c.id()).toList());
                assertEquals("ward", b.clients().get(0).domain());
                List<Batch> first = a.nextBatches(true).get(0);
                assertEquals(2, first.size(), "batchesPerRound batches of the client's own rows");
                assertEquals(10, first.get(0).rows());
                assertFalse(java.util.Arrays.equals(first.get(0).featuresCopy(), b.nextBatches(true).get(0).get(0).featuresCopy()),
                        "two slots' generators differ");
                assertTrue(java.util.Arrays.equals(first.get(0).featuresCopy(), sameA.nextBatches(true).get(0).get(0).featuresCopy()),
                        "a slot's generator is deterministic for the run's seed");
            }
        }
    }

    @Test
    void aRealClientsStreamIsCheckedBeforeItJoins() {
        assertEquals(2, LocalFleet.checkOwnStream(Map.of("type", "sea"), Path.of(".")).numClasses());
        ConfigException typo = assertThrows(ConfigException.class,
                () -> LocalFleet.checkOwnStream(Map.of("type", "sea", "concpet", 1), Path.of(".")));
        assertEquals("concpet", typo.path());
        ConfigException remote = assertThrows(ConfigException.class,
                () -> LocalFleet.checkOwnStream(Map.of("type", "remote"), Path.of(".")));
        assertEquals("type", remote.path());
    }
}
