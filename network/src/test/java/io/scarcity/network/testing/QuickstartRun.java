package io.scarcity.network.testing;

import io.scarcity.api.Insight;
import io.scarcity.api.MetaParameters;
import io.scarcity.runtime.client.ClientNode;
import io.scarcity.runtime.client.ClientRoundResult;
import io.scarcity.runtime.client.RunMetricsSink;
import io.scarcity.runtime.config.ConfigLoader;
import io.scarcity.runtime.config.LoadedConfig;
import io.scarcity.runtime.coordinator.Coordinator;
import io.scarcity.runtime.coordinator.GlobalMemory;
import io.scarcity.runtime.engine.Assembly;
import io.scarcity.runtime.engine.InProcessEngine;
import io.scarcity.runtime.plugin.PluginRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Values from a real run, for tests that need realistic ones: {@code configs/quickstart.yaml} for three
 * rounds with a share of clients offline, in this JVM. Made once per test JVM.
 *
 * @param results every client's result of every round, in round then client order
 * @param clients the run's clients after its last round (their states, signals and schemas)
 * @param parameters the meta-parameters a fresh coordinator with the run's meta-learner learns from each
 *        round's insights, per round and domain
 */
public record QuickstartRun(List<ClientRoundResult> results, List<ClientNode> clients, List<MetaParameters> parameters) {
    public static final List<String> SETTINGS = List.of("rounds=3", "faults.offlineRate=0.3", "output.progress=off");
    private static QuickstartRun instance;

    public static synchronized QuickstartRun get() {
        if (instance == null) {
            instance = run();
        }
        return instance;
    }

    private static QuickstartRun run() {
        LoadedConfig loaded = ConfigLoader.load(quickstart(), Map.of(), SETTINGS);
        List<ClientRoundResult> results = new ArrayList<>();
        List<MetaParameters> parameters = new ArrayList<>();
        try (PluginRegistry registry = PluginRegistry.load(null, QuickstartRun.class.getClassLoader());
             InProcessEngine engine = new InProcessEngine(loaded, registry)) {
            engine.run((round, total, roundResults, extras) -> results.addAll(roundResults));
            Coordinator coordinator = new Coordinator(GlobalMemory.inMemory(1000),
                    new Assembly(loaded.config(), registry).metaLearner(new RunMetricsSink()),
                    System.getLogger("test.coordinator"));
            Map<Integer, List<Insight>> byRound = new TreeMap<>();
            for (ClientRoundResult r : results) {
                if (r.insight() != null) {
                    byRound.computeIfAbsent(r.round(), k -> new ArrayList<>()).add(r.insight());
                }
            }
            byRound.forEach((round, insights) -> parameters.addAll(coordinator.endRound(round, insights).values()));
            return new QuickstartRun(List.copyOf(results), engine.clients(), List.copyOf(parameters));
        }
    }

    /** The repository's configs/quickstart.yaml, found from the module's working directory. */
    public static Path quickstart() {
        Path p = Path.of("").toAbsolutePath();
        while (p != null && !Files.isRegularFile(p.resolve("configs").resolve("quickstart.yaml"))) {
            p = p.getParent();
        }
        if (p == null) {
            throw new IllegalStateException("configs/quickstart.yaml not found above " + Path.of("").toAbsolutePath());
        }
        return p.resolve("configs").resolve("quickstart.yaml");
    }
}
