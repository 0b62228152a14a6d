package io.scarcity.runtime.cli;

import io.scarcity.runtime.config.LoadedConfig;
import io.scarcity.runtime.engine.InProcessEngine;
import io.scarcity.runtime.plugin.PluginRegistry;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "validate", mixinStandardHelpOptions = true,
        description = {"Checks a config without running it: YAML, keys, types, plugin names and every plugin's options,",
                "data sources (files exist, headers match). Exit 0 if valid, 2 with the problem otherwise."})
final class ValidateCommand implements Callable<Integer> {
    @Mixin
    ConfigOptions configOptions;

    @Option(names = "--print", description = "Print the resolved config (defaults + file + overrides).")
    boolean print;

    @Mixin
    PluginOptions plugins;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        LoadedConfig loaded = configOptions.load();
        try (PluginRegistry registry = plugins.load();
             InProcessEngine engine = new InProcessEngine(loaded, registry)) {
            engine.checkStore(null);
            var out = spec.commandLine().getOut();
            if (print) {
                out.print(loaded.resolvedYaml());
            }
            out.println(configOptions.config + " is valid: " + loaded.config().totalClients() + " clients in "
                    + loaded.config().domains().size() + " domain(s), " + loaded.config().rounds() + " rounds, experts "
                    + engine.clients().get(0).slots().stream().map(s -> s.name()).toList());
            var privacy = loaded.config().privacy();
            if (privacy.dp() != null && privacy.dp().noisesInsights()) {
                out.printf("  differential privacy on the insights: epsilon %s, delta %s per client over %d rounds (noise multiplier"
                        + " %.3f)%s%n", privacy.dp().epsilon(), privacy.dp().delta(),
                        loaded.config().rounds(), io.scarcity.runtime.privacy.RdpAccountant.noiseMultiplierFor(privacy.dp().epsilon(),
                                privacy.dp().delta(), 1.0, loaded.config().rounds()),
                        privacy.dp().noisesGossip() ? "" : "; gossip and weight-sharing states are not noised");
            }
            if (privacy.dp() != null && privacy.dp().noisesGossip()) {
                List<String> left = engine.clients().get(0).notGossipedPrivately();
                out.printf("  differential privacy on gossip: epsilon %s, delta %s per row (noise multiplier %.3f), rows clipped to"
                        + " %s standard deviations%s%n", privacy.dp().epsilon(), privacy.dp().delta(),
                        io.scarcity.runtime.privacy.RdpAccountant.noiseMultiplierFor(privacy.dp().epsilon(), privacy.dp().delta(), 1.0, 1),
                        privacy.dp().stateBound(), left.isEmpty() ? "" : "; not gossiped (no row sums): " + String.join(", ", left));
            }
            if (privacy.secureAggregation().enabled()) {
                out.println("  secure aggregation of what the coordinator sums ("
                        + (privacy.secureAggregation().insights() ? "whole insights: per client only its id, round and rows in"
                        + " the clear" : "moments, weight sharing") + "), threshold "
                        + loaded.config().domains().stream().map(d -> d.name() + " " + privacy.secureAggregation().thresholdFor(d.clients())
                        + " of " + d.clients()).collect(java.util.stream.Collectors.joining(", ")));
            }
            out.println(privacy.audit().enabled() ? "  the coordinator keeps a signed audit log (audit.jsonl; check it with: scarcity"
                    + " audit verify RUN_DIR)" : "  no audit log (privacy.audit.enabled: false)");
            int every = loaded.config().checkpoint().every();
            if (every == 0) {
                out.println("  no checkpoints (checkpoint.every: 0): an interrupted run cannot be resumed");
            } else if (!engine.notCheckpointable().isEmpty()) {
                out.println("  no checkpoints: these plugins do not support them: " + String.join(", ", engine.notCheckpointable()));
            } else {
                out.println("  a checkpoint every " + every + " rounds (resume with: scarcity run --resume RUN_DIR)");
            }
            return 0;
        }
    }
}
