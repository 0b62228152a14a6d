package io.scarcity.runtime.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scarcity.api.ConfigException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {
    static final String MINIMAL = """
            name: t
            rounds: 3
            domains:
              - name: a
                clients: 2
                stream: {type: sea}
            experts:
              - plugin: statistical
            """;

    static LoadedConfig parse(String yaml) {
        return ConfigLoader.parse(yaml, "test.yaml", Path.of("."), Map.of(), List.of());
    }

    static ConfigException error(String yaml) {
        return assertThrows(ConfigException.class, () -> parse(yaml));
    }

    @Test
    void minimalConfigGetsTheEmbeddedDefaults() {
        RunConfig c = parse(MINIMAL).config();
        assertEquals(3, c.rounds());
        assertEquals(50, c.batchSize());
        assertEquals("ucb", c.router().plugin());
        assertEquals("hierarchical", c.memory().plugin());
        assertEquals("insight", c.metaLearner().plugin());
        assertEquals("random-pairs", c.gossip().plugin());
        assertEquals("iid", c.domains().get(0).partition().get("type"));
        assertEquals("statistical", c.experts().get(0).instanceName());
        assertEquals(10000, c.coordinator().memoryPerDomain());
    }

    @Test
    void malformedYamlNamesTheLine() {
        ConfigException e = error("name: t\nrounds: [1, 2\ndomains: x\n");
        assertTrue(e.getMessage().contains("test.yaml: malformed YAML at line"), e.getMessage());
    }

    @Test
    void duplicateKeysAreErrors() {
        ConfigException e = error(MINIMAL + "rounds: 4\n");
        assertTrue(e.getMessage().contains("rounds"), e.getMessage());
    }

    @Test
    void emptyFileAndNonMappingAreErrors() {
        assertTrue(error("").getMessage().contains("is empty"));
        assertTrue(error("- a\n- b\n").getMessage().contains("expected a mapping"));
    }

    @Test
    void unknownTopLevelKeyListsTheValidOnes() {
        ConfigException e = error(MINIMAL + "roundz: 5\n");
        assertEquals("roundz", e.path());
        assertTrue(e.getMessage().contains("unknown key 'roundz'"), e.getMessage());
        assertTrue(e.getMessage().contains("rounds"), e.getMessage());
    }

    @Test
    void unknownNestedKeyHasItsFullPath() {
        ConfigException e = error(MINIMAL.replace("clients: 2", "clients: 2\n    clientz: 3"));
        assertEquals("domains[0].clientz", e.path());
        ConfigException c = error(MINIMAL + "coordinator: {memoryPerDomian: 5}\n");
        assertEquals("coordinator.memoryPerDomian", c.path());
        assertTrue(c.getMessage().contains("memoryPerDomain"), c.getMessage());
    }

    @Test
    void wrongTypesNameTheKeyAndTheValue() {
        ConfigException e = error(MINIMAL.replace("rounds: 3", "rounds: many"));
        assertEquals("rounds", e.path());
        assertTrue(e.getMessage().contains("expected a whole number, got 'many'"), e.getMessage());
        ConfigException f = error(MINIMAL.replace("rounds: 3", "rounds: 2.5"));
        assertEquals("rounds", f.path());
        ConfigException g = error(MINIMAL.replace("clients: 2", "clients: [1]"));
        assertEquals("domains[0].clients", g.path());
        ConfigException h = error(MINIMAL + "router: 7\n");
        assertEquals("router", h.path());
    }

    @Test
    void numbersAndBooleansAreNotSilentlyTurnedIntoNames() {
        ConfigException num = error(MINIMAL.replace("name: t", "name: 007"));
        assertEquals("name", num.path());
        assertTrue(num.getMessage().contains("expected a text value"), num.getMessage());
        ConfigException yes = assertThrows(ConfigException.class, () -> ConfigLoader.parse(MINIMAL, "t.yaml", Path.of("."),
                Map.of(), List.of("name=yes")));
        assertEquals("name", yes.path());
        assertEquals("domains[0].name", error(MINIMAL.replace("- name: a", "- name: 12")).path());
    }

    @Test
    void yamlAliasesAreRefusedWithTheirLine() {
        ConfigException e = error("""
                name: &n t
                rounds: 3
                domains:
                  - name: *n
                    clients: 2
                    stream: {type: sea}
                experts:
                  - plugin: statistical
                """);
        assertTrue(e.getMessage().contains("aliases (*n at line 4)"), e.getMessage());
    }

    @Test
    void sizesWhoseProductOverflowsAreRefused() {
        ConfigException e = error(MINIMAL + "batchSize: 100000\nbatchesPerRound: 100000\n");
        assertEquals("domains[0].clients", e.path());
        assertTrue(e.getMessage().contains("rows per round"), e.getMessage());
    }

    @Test
    void lateClientsMustJoinWithinTheRun() {
        ConfigException e = error(MINIMAL.replace("clients: 2", "clients: 2\n    late: {clients: 1, round: 9}"));
        assertEquals("domains[0].late.round", e.path());
        assertTrue(e.getMessage().contains("the run has 3 rounds"), e.getMessage());
    }

    @Test
    void momentsNeedAtLeastTwoRows() {
        assertEquals("privacy.minMomentRows", error(MINIMAL + "privacy: {minMomentRows: 1}\n").path());
    }

    @Test
    void aDifferentialPrivacyBudgetOutsideItsRangeIsRefusedByKey() {
        assertEquals("privacy.dp.epsilon", error(MINIMAL + "privacy: {dp: {epsilon: 0}}\n").path());
        assertEquals("privacy.dp.epsilon", error(MINIMAL + "privacy: {dp: {epsilon: -1}}\n").path());
        assertEquals("privacy.dp.epsilon", error(MINIMAL + "privacy: {dp: {delta: 1.0e-5}}\n").path());
        assertEquals("privacy.dp.delta", error(MINIMAL + "privacy: {dp: {epsilon: 4, delta: 1}}\n").path());
        assertEquals("privacy.dp.delta", error(MINIMAL + "privacy: {dp: {epsilon: 4, delta: 0}}\n").path());
        assertEquals("privacy.dp.lossBound", error(MINIMAL + "privacy: {dp: {epsilon: 4, lossBound: 0}}\n").path());
        assertEquals("privacy.dp.featureBound", error(MINIMAL + "privacy: {dp: {epsilon: 4, moments: true}}\n").path());
        assertEquals("privacy.dp.featureBound", error(MINIMAL + "privacy: {dp: {epsilon: 4, moments: true, featureBound: -2}}\n").path());
        assertEquals("privacy.dp.noise", error(MINIMAL + "privacy: {dp: {epsilon: 4, noise: weak}}\n").path());
        ConfigException both = error(MINIMAL + "privacy: {dp: {epsilon: 4, outputs: both}}\n");
        assertEquals("privacy.dp.outputs", both.path());
        assertTrue(both.getMessage().contains("set moments: true"), both.getMessage());
        assertEquals("privacy.dp.outputs", error(MINIMAL + "privacy: {dp: {epsilon: 4, outputs: states}}\n").path());
        assertEquals("privacy.dp.stateBound", error(MINIMAL + "privacy: {dp: {epsilon: 4, outputs: gossip, stateBound: 0}}\n").path());
        assertEquals("privacy.dp.stateBound", error(MINIMAL + "privacy: {dp: {epsilon: 4, stateBound: 3}}\n").path());
        assertEquals("privacy.dp.moments", error(MINIMAL + "privacy: {dp: {epsilon: 4, outputs: gossip, moments: true, "
                + "featureBound: 4}}\n").path());
        assertEquals("domains[0].labels.selfTraining", error(MINIMAL.replace("stream: {type: sea}",
                "stream: {type: sea}\n    labels: {rate: 0.5, selfTraining: 0.9}") + "privacy: {dp: {epsilon: 4, outputs: gossip}}\n").path());
        RunConfig gossip = parse(MINIMAL + "privacy: {dp: {epsilon: 4, outputs: gossip}}\n").config();
        assertEquals(3.0, gossip.privacy().dp().stateBound());
        assertTrue(gossip.privacy().dp().noisesGossip());
        assertFalse(gossip.privacy().dp().noisesInsights());
        RunConfig bothOk = parse(MINIMAL + "privacy: {dp: {epsilon: 4, outputs: both, moments: true, featureBound: 4}}\n").config();
        assertTrue(bothOk.privacy().dp().noisesGossip() && bothOk.privacy().dp().noisesInsights());
        RunConfig ok = parse(MINIMAL + "privacy: {dp: {epsilon: 4}}\n").config();
        assertEquals(1e-5, ok.privacy().dp().delta());
        assertEquals("insights", ok.privacy().dp().outputs());
        assertFalse(ok.privacy().dp().seeded());
        assertEquals(null, parse(MINIMAL).config().privacy().dp());
    }

    @Test
    void secureAggregationWithAThresholdAboveTheClientsIsRefused() {
        ConfigException above = error(MINIMAL + "privacy: {secureAggregation: {enabled: true, threshold: 3}}\n");
        assertEquals("privacy.secureAggregation.threshold", above.path());
        assertTrue(above.getMessage().contains("more than the 2 client(s) of domain 'a'"), above.getMessage());
        assertEquals("privacy.secureAggregation.threshold",
                error(MINIMAL + "privacy: {secureAggregation: {enabled: true, threshold: 1}}\n").path());
        ConfigException minority = error(MINIMAL.replace("clients: 2", "clients: 6")
                + "privacy: {secureAggregation: {enabled: true, threshold: 3}}\n");
        assertEquals("privacy.secureAggregation.threshold", minority.path());
        assertTrue(minority.getMessage().contains("use at least 4"), minority.getMessage());
        assertEquals("privacy.secureAggregation.neighbours",
                error(MINIMAL + "privacy: {secureAggregation: {enabled: true, neighbours: 3}}\n").path());
        assertEquals("privacy.secureAggregation.threshold",
                error(MINIMAL + "privacy: {secureAggregation: {threshold: 2}}\n").path());
        assertEquals("privacy.secureAggregation.enabled",
                error(MINIMAL + "federation: {mode: local}\nprivacy: {secureAggregation: {enabled: true}}\n").path());
        assertEquals(2, parse(MINIMAL + "privacy: {secureAggregation: {enabled: true}}\n").config().privacy()
                .secureAggregation().thresholdFor(2));
    }

    @Test
    void secureInsightsNeedSecureAggregationAndAMetaLearnedRun() {
        assertFalse(parse(MINIMAL + "privacy: {secureAggregation: {enabled: true}}\n").config().privacy()
                .secureAggregation().insights(), "off by default");
        assertTrue(parse(MINIMAL + "privacy: {secureAggregation: {enabled: true, insights: true}}\n").config().privacy()
                .secureAggregation().insights());
        ConfigException alone = error(MINIMAL + "privacy: {secureAggregation: {insights: true}}\n");
        assertEquals("privacy.secureAggregation.insights", alone.path());
        assertTrue(alone.getMessage().contains("enabled: true"), alone.getMessage());
        ConfigException fedavg = error(MINIMAL + "federation: {mode: fedavg}\n"
                + "privacy: {secureAggregation: {enabled: true, insights: true}}\n");
        assertEquals("privacy.secureAggregation.insights", fedavg.path());
        assertTrue(fedavg.getMessage().contains("federation.mode: federated"), fedavg.getMessage());
    }

    @Test
    void zeroOrNegativeSizesAreRefused() {
        assertEquals("rounds", error(MINIMAL.replace("rounds: 3", "rounds: 0")).path());
        assertEquals("batchSize", error(MINIMAL + "batchSize: -5\n").path());
        assertEquals("domains[0].clients", error(MINIMAL.replace("clients: 2", "clients: 0")).path());
        assertEquals("coordinator.memoryPerDomain", error(MINIMAL + "coordinator: {memoryPerDomain: 0}\n").path());
        assertEquals("threads", error(MINIMAL + "threads: -1\n").path());
    }

    @Test
    void missingRequiredPartsSayWhatToAdd() {
        ConfigException e = error("name: t\nexperts: [{plugin: statistical}]\n");
        assertEquals("domains", e.path());
        assertTrue(e.getMessage().contains("stream: {type: sea}"), e.getMessage());
        ConfigException s = error(MINIMAL.replace("    stream: {type: sea}\n", ""));
        assertEquals("domains[0].stream", s.path());
        ConfigException x = error(MINIMAL.replace("experts:\n  - plugin: statistical\n", ""));
        assertEquals("experts", x.path());
    }

    @Test
    void duplicateExpertAndDomainNamesAreRefused() {
        ConfigException e = error(MINIMAL + "  - plugin: statistical\n");
        assertEquals("experts[1].name", e.path());
        ConfigException d = error(MINIMAL.replace("experts:", """
                  - name: a
                    clients: 1
                    stream: {type: sea}
                experts:"""));
        assertEquals("domains[1].name", d.path());
    }

    @Test
    void environmentOverridesTheFileAndSetOverridesTheEnvironment() {
        Map<String, String> env = Map.of("SCARCITY_ROUNDS", "7", "SCARCITY_BATCH_SIZE", "25",
                "SCARCITY_DOMAINS__0__CLIENTS", "4", "SCARCITY_HOME", "/ignored", "PATH", "/bin",
                "SCARCITY_TEST_PG_PASSWORD", "not-an-override");
        LoadedConfig c = ConfigLoader.parse(MINIMAL, "t.yaml", Path.of("."), env, List.of());
        assertEquals(7, c.config().rounds());
        assertEquals(25, c.config().batchSize());
        assertEquals(4, c.config().domains().get(0).clients());
        LoadedConfig s = ConfigLoader.parse(MINIMAL, "t.yaml", Path.of("."), env,
                List.of("rounds=9", "domains[0].clients=5", "router.config.k=2", "experts.0.config.learningRate=0.1"));
        assertEquals(9, s.config().rounds());
        assertEquals(25, s.config().batchSize());
        assertEquals(5, s.config().domains().get(0).clients());
        assertEquals(2, s.config().router().config().get("k"));
        assertEquals(0.1, s.config().experts().get(0).config().get("learningRate"));
        assertTrue(s.resolvedYaml().contains("rounds: 9"), s.resolvedYaml());
    }

    @Test
    void badOverridesNameTheirOrigin() {
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.parse(MINIMAL, "t.yaml", Path.of("."),
                Map.of(), List.of("rounds=abc")));
        assertTrue(e.getMessage().contains("got 'abc'") && e.getMessage().contains("--set rounds=abc"), e.getMessage());
        ConfigException env = assertThrows(ConfigException.class, () -> ConfigLoader.parse(MINIMAL, "t.yaml", Path.of("."),
                Map.of("SCARCITY_ROUNDS", "x"), List.of()));
        assertTrue(env.getMessage().contains("environment variable SCARCITY_ROUNDS=x"), env.getMessage());
        ConfigException pw = assertThrows(ConfigException.class, () -> ConfigLoader.parse(MINIMAL, "t.yaml", Path.of("."),
                Map.of("SCARCITY_COORDINATOR__STORE__PASSWORD", "[hunter2]"), List.of()));
        assertTrue(pw.getMessage().contains("SCARCITY_COORDINATOR__STORE__PASSWORD=***"), pw.getMessage());
        assertFalse(pw.getMessage().contains("hunter2"), "a secret must not be echoed: " + pw.getMessage());
        assertTrue(assertThrows(ConfigException.class, () -> ConfigLoader.parse(MINIMAL, "t.yaml", Path.of("."),
                Map.of(), List.of("rounds"))).getMessage().contains("expected path.to.key=value"));
        ConfigException idx = assertThrows(ConfigException.class, () -> ConfigLoader.parse(MINIMAL, "t.yaml", Path.of("."),
                Map.of(), List.of("domains[3].clients=1")));
        assertTrue(idx.getMessage().contains("out of range"), idx.getMessage());
        ConfigException unknown = assertThrows(ConfigException.class, () -> ConfigLoader.parse(MINIMAL, "t.yaml", Path.of("."),
                Map.of(), List.of("roundss=3")));
        assertEquals("roundss", unknown.path());
    }

    @Test
    void missingFileIsAClearError(@TempDir Path dir) {
        ConfigException e = assertThrows(ConfigException.class,
                () -> ConfigLoader.load(dir.resolve("nope.yaml"), Map.of(), List.of()));
        assertTrue(e.getMessage().contains("does not exist"), e.getMessage());
    }

    @Test
    void loadResolvesRelativePathsAgainstTheConfigFolder(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("c.yaml");
        Files.writeString(f, MINIMAL);
        assertEquals(dir.toAbsolutePath(), ConfigLoader.load(f, Map.of(), List.of()).baseDir());
    }

    @Test
    void theQuickstartConfigIsValid() {
        LoadedConfig c = ConfigLoader.load(QuickstartPaths.quickstart(), Map.of(), List.of());
        assertEquals(5, c.config().totalClients());
        assertEquals(2, c.config().domains().size());
    }
}
