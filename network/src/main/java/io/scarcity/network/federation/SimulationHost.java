package io.scarcity.network.federation;

import io.scarcity.runtime.config.LoadedConfig;
import io.scarcity.runtime.engine.Assembly;
import io.scarcity.runtime.engine.LocalFleet;
import io.scarcity.runtime.plugin.PluginRegistry;
import java.nio.file.Path;
import java.util.List;

/**
 * A process that hosts simulated clients {@code from..to-1} of the coordinator's experiment: it builds
 * them from the config the coordinator sends, reads the config's streams itself and cuts its clients'
 * batches exactly as the in-process engine does ({@link LocalFleet}), and answers the coordinator's calls
 * ({@link FleetHost}). Rows never leave it.
 */
public final class SimulationHost extends FleetHost {
    private final PluginRegistry registry;
    private final Path baseDir;
    private final int from;
    private final int to;

    /**
     * @param baseDir the folder the config's relative data paths resolve against on this machine
     * @param from first client hosted (0-based, in the config's order)
     * @param to one past the last client hosted
     */
    public SimulationHost(PluginRegistry registry, Path baseDir, int from, int to) {
        this(registry, baseDir, from, to, null);
    }

    /**
     * @param stateDir the host's state folder (see {@link FleetHost#FleetHost}); {@code null} for none
     */
    public SimulationHost(PluginRegistry registry, Path baseDir, int from, int to, Path stateDir) {
        super(registry, baseDir, stateDir);
        this.registry = registry;
        this.baseDir = baseDir;
        this.from = from;
        this.to = to;
    }

    @Override
    protected LocalFleet newFleet(LoadedConfig run, List<String> clientIds) {
        Assembly assembly = new Assembly(run.config(), registry, baseDir);
        assembly.checkNames();
        return new LocalFleet(run.config(), assembly, baseDir, from, to);
    }

    @Override
    protected String who() {
        return "clients-" + from + "-" + (to - 1);
    }

    @Override
    protected String continuing() {
        return "clients " + from + "-" + (to - 1) + " continue";
    }
}
