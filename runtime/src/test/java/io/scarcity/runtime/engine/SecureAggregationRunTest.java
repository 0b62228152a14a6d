package io.scarcity.runtime.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.scarcity.runtime.config.ConfigLoader;
import io.scarcity.runtime.config.LoadedConfig;
import io.scarcity.runtime.plugin.PluginRegistry;
import io.scarcity.runtime.run.RunExecution;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Feature moments pooled by secure aggregation ({@code privacy.secureAggregation}): the coordinator's store holds no
 * client's moments, only each domain's sum per round, and the clients learn exactly what they learn when the
 * coordinator pools the moments of their insights itself.
 */
class SecureAggregationRunTest {
    static PluginRegistry registry;
    @TempDir
    Path tmp;

    @BeforeAll
    static void load() {
        registry = PluginRegistry.load(null, SecureAggregationRunTest.class.getClassLoader());
    }

    @AfterAll
    static void close() {
        registry.close();
    }

    Path run(String out, String yaml, String... sets) throws Exception {
        Path config = tmp.resolve(out + ".yaml");
        Files.writeString(config, yaml);
        List<String> all = new ArrayList<>(List.of(sets));
        all.add("output.dir=" + tmp.resolve(out));
        all.add("output.progress=off");
        LoadedConfig loaded = ConfigLoader.load(config, Map.of(), all);
        return RunExecution.run(loaded, registry, ResumeTest.QUIET, Clock.systemUTC()).runDir();
    }

    static final String DIGITS = """
            name: secure
            rounds: 8
            batchSize: 10
            batchesPerRound: 2
            domains:
              - name: digits
                clients: 6
                stream: {type: csv, path: %s, header: false, label: 64}
                partition: {type: dirichlet, alpha: 0.3}
            experts:
              - {plugin: statistical, config: {learningRate: 0.02, minVariance: 1.0}}
            gossip: {plugin: random-pairs, config: {every: 1000000}}
            """.formatted(Path.of("src/test/resources/data/digits/digits.csv.gz").toAbsolutePath());

    @Test
    void theCoordinatorHoldsOnlyEachDomainsSumAndTheClientsLearnTheSame() throws Exception {
        Path plain = run("plain", DIGITS);
        Path secure = run("secure", DIGITS, "privacy.secureAggregation.enabled=true");
        ObjectMapper json = new ObjectMapper();
        JsonNode a = json.readTree(plain.resolve("summary.json").toFile());
        JsonNode b = json.readTree(secure.resolve("summary.json").toFile());
        assertEquals(a.get("accuracyByRound"), b.get("accuracyByRound"), "the pooled moments are the same sums");
        assertTrue(b.get("bytesSent").asLong() > a.get("bytesSent").asLong(), "the protocol's messages are counted");
        Map<String, String> stored = ResumeTest.insights(secure);
        int aggregates = 0;
        long rows = 0;
        for (String payload : stored.values()) {
            JsonNode insight = json.readTree(payload);
            long count = insight.get("moments").get("count").asLong();
            if (insight.get("samples").asLong() == 0 && count > 0) {
                aggregates++;
                rows += count;
            } else {
                assertEquals(0, count, "a client's own moments never reach the coordinator: " + payload);
            }
        }
        assertTrue(aggregates >= 4, "a sum per round that had moments due: " + aggregates);
        assertTrue(rows > 0 && rows <= 6 * 8 * 20);
        String audit = Files.readString(secure.resolve("audit.jsonl"));
        assertEquals(8, audit.split("\"type\":\"secure-aggregation\"", -1).length - 1);
        assertFalse(audit.contains("\"aggregated\":false"), audit);
    }

    /**
     * Weight sharing under secure aggregation: the coordinator gets each domain's sample-weighted mean state and no
     * client's; the clients learn what plain FedAvg teaches them, to the fixed point's rounding.
     */
    @Test
    void weightSharingUnderSecureAggregationAveragesTheSameStates() throws Exception {
        // the mean law on both sides (under secure aggregation the default union law's states merge by it too; below)
        Path plain = run("fedavg", DIGITS, "federation.mode=fedavg", "experts[0].config.mergeLaw=mean");
        Path secure = run("fedavg-secure", DIGITS, "federation.mode=fedavg", "privacy.secureAggregation.enabled=true",
                "experts[0].config.mergeLaw=mean");
        assertEquals(accuracy(plain), accuracy(secure), 0.005);
        Path local = run("local", DIGITS, "federation.mode=local");
        assertTrue(Math.abs(accuracy(secure) - accuracy(local)) > 0.005, "the secure average is shared (not learning alone)");
        assertEveryRoundAggregatedTheStatisticalExpert(secure);
    }

    /** The run's prequential accuracy, from its {@code summary.json}. */
    static double accuracy(Path run) throws Exception {
        return new ObjectMapper().readTree(run.resolve("summary.json").toFile()).get("accuracy").asDouble();
    }

    /** The audit log of {@code run}: a secure sum of the statistical expert in each of the 8 rounds, none refused. */
    static String assertEveryRoundAggregatedTheStatisticalExpert(Path run) throws Exception {
        String audit = Files.readString(run.resolve("audit.jsonl"));
        assertEquals(8, audit.split("\"subject\":\"expert:statistical\"", -1).length - 1, audit);
        assertFalse(audit.contains("\"aggregated\":false"), audit);
        return audit;
    }

    /**
     * The statistical expert's union law needs each client's state, which a sum does not give: under secure aggregation
     * its states are shared without the law's arrays and merge by the weighted mean, as plain FedAvg under the mean law
     * merges them (before, they were left out of the aggregation).
     */
    @Test
    void underSecureAggregationUnionStatesAreSharedByTheWeightedMean() throws Exception {
        Path mean = run("fedavg-mean", DIGITS, "federation.mode=fedavg", "experts[0].config.mergeLaw=mean");
        Path secure = run("fedavg-union-secure", DIGITS, "federation.mode=fedavg", "privacy.secureAggregation.enabled=true",
                "experts[0].config.mergeLaw=union");
        assertEquals(accuracy(mean), accuracy(secure), 0.005, "merged by the weighted mean, as plain FedAvg under the mean law");
        String audit = assertEveryRoundAggregatedTheStatisticalExpert(secure);
        assertFalse(audit.contains("union."), "the union law's arrays are not summed");
    }

    /**
     * {@code insights: true}: the coordinator's store holds, per client, only its id, round and row count, and per domain
     * and round one insight whose values are the row-weighted means over the clients. In round 1 the clients have learned
     * the same as in a run that sends its insights in the clear (parameters only arrive after it), so the aggregate must
     * equal the mean of those insights.
     */
    @Test
    void underSecureInsightsTheCoordinatorGetsEachDomainsMeansAndNoClientsValue() throws Exception {
        Path clear = run("clear", DIGITS, "privacy.secureAggregation.enabled=true");
        Path secure = run("insights", DIGITS, "privacy.secureAggregation.enabled=true",
                "privacy.secureAggregation.insights=true");
        ObjectMapper json = new ObjectMapper();
        double rows = 0;
        double accuracy = 0;
        double loss = 0;
        double expertLoss = 0;
        JsonNode clearMoments = null;
        for (Map.Entry<String, String> e : ResumeTest.insights(clear).entrySet()) {
            JsonNode i = json.readTree(e.getValue());
            if (i.get("round").asInt() != 1) {
                continue;
            }
            if (i.get("samples").asLong() == 0) {
                clearMoments = i.get("moments");
                continue;
            }
            long n = i.get("samples").asLong();
            rows += n;
            accuracy += n * i.get("accuracy").asDouble();
            loss += n * i.get("loss").asDouble();
            expertLoss += n * i.get("experts").get("statistical").get("loss").asDouble();
        }
        int aggregates = 0;
        int clients = 0;
        for (String payload : ResumeTest.insights(secure).values()) {
            JsonNode i = json.readTree(payload);
            if (i.get("experts").isEmpty()) {
                clients++;
                assertEquals("NaN", i.get("accuracy").asText(), payload);
                assertEquals("NaN", i.get("loss").asText(), payload);
                assertTrue(i.get("signals").isEmpty(), payload);
                assertEquals(0, i.get("moments").get("count").asLong(), "no client's own moments: " + payload);
                continue;
            }
            aggregates++;
            if (i.get("round").asInt() == 1) {
                assertEquals(rows, i.get("samples").asDouble(), 0.0);
                assertEquals(accuracy / rows, i.get("accuracy").asDouble(), 1e-3);
                assertEquals(loss / rows, i.get("loss").asDouble(), 1e-3);
                assertEquals(expertLoss / rows, i.get("experts").get("statistical").get("loss").asDouble(), 1e-3);
                assertEquals(clearMoments.get("count"), i.get("moments").get("count"));
                for (int f = 0; f < 64; f++) {
                    assertEquals(clearMoments.get("mean").get(f).asDouble(), i.get("moments").get("mean").get(f).asDouble(), 1e-3);
                }
            }
        }
        assertEquals(8, aggregates, "one aggregate per round of the one domain");
        assertEquals(6 * 8, clients);
        String audit = Files.readString(secure.resolve("audit.jsonl"));
        assertEquals(8, audit.split("\"subject\":\"insight\"", -1).length - 1, audit);
        assertFalse(audit.contains("\"aggregated\":false"), audit);
        assertEquals("completed", json.readTree(secure.resolve("summary.json").toFile()).get("status").asText());
        // the coordinator's health view: the clients' loss spread follows from the sums
        String coordinator = Files.readString(secure.resolve("coordinator.jsonl"));
        assertTrue(coordinator.contains("\"lossSpread\":0."), coordinator);
    }

    @Test
    void aRoundWithTooFewClientsIsNotAggregatedAndTheRunGoesOn() throws Exception {
        Path secure = run("few", DIGITS, "privacy.secureAggregation.enabled=true", "privacy.secureAggregation.threshold=6",
                "faults.offlineRate=0.3");
        JsonNode summary = new ObjectMapper().readTree(secure.resolve("summary.json").toFile());
        assertEquals("completed", summary.get("status").asText());
        String audit = Files.readString(secure.resolve("audit.jsonl"));
        assertTrue(audit.contains("\"aggregated\":false") && audit.contains("fewer than the threshold 6"), audit);
        assertTrue(io.scarcity.runtime.audit.AuditVerifier.verify(secure.resolve("audit.jsonl"), null).intact());
    }
}
