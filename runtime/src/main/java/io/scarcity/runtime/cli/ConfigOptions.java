package io.scarcity.runtime.cli;

import io.scarcity.runtime.config.ConfigLoader;
import io.scarcity.runtime.config.LoadedConfig;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** The config file and its {@code --set} overrides, shared by the commands that read a config. */
public final class ConfigOptions {
    @Parameters(index = "0", arity = "0..1", paramLabel = "CONFIG", description = "The run config, e.g. configs/quickstart.yaml.")
    Path config;

    @Option(names = "--set", paramLabel = "KEY=VALUE",
            description = "Override a config value, e.g. --set rounds=10 --set domains[0].clients=4 (repeatable; wins over SCARCITY_* environment variables).")
    List<String> sets = new ArrayList<>();

    /** Whether neither a config file nor an override was given (e.g. alongside --resume). */
    public boolean none() {
        return config == null && sets.isEmpty();
    }

    public LoadedConfig load() {
        if (config == null) {
            throw new io.scarcity.runtime.UserException("missing the config file: give one, e.g. configs/quickstart.yaml");
        }
        return ConfigLoader.load(config, System.getenv(), sets);
    }
}
