package io.scarcity.runtime.client;

import io.scarcity.api.Expert;
import io.scarcity.api.ExpertCapabilities;
import java.util.Objects;

/** One expert instance on a client, with the runtime's per-round accounting of it. */
public final class ExpertSlot {
    private final String name;
    private final String plugin;
    private final Expert expert;
    private final ExpertCapabilities capabilities;
    long activations;
    long rowsPredicted;
    double lossSum;
    long samples;
    /** Tempers this expert's class probabilities before mixing; null when the mixture does not calibrate. */
    TemperatureCalibrator calibrator;
    /** Reused buffer of the tempered probabilities of the expert's last prediction. */
    double[] tempered = new double[0];
    /** Set by an {@link io.scarcity.api.ExpertSupervisor}: the expert learns from nothing while frozen. */
    boolean frozen;
    /** Whether the router activated it on the last batch, and its mean loss there (NaN if not active). */
    boolean lastActive;
    /** Whether the expert did any work on the current batch (predicted, learned or was replayed into). */
    boolean worked;
    double lastLoss = Double.NaN;

    /** A personal twin ({@code federation.personal}): learns like the others, never leaves the client nor merges. */
    private final boolean personal;

    public ExpertSlot(String name, String plugin, Expert expert) {
        this(name, plugin, expert, false);
    }

    public ExpertSlot(String name, String plugin, Expert expert, boolean personal) {
        this.personal = personal;
        this.name = Objects.requireNonNull(name, "name is null");
        this.plugin = Objects.requireNonNull(plugin, "plugin is null");
        this.expert = Objects.requireNonNull(expert, "expert is null");
        this.capabilities = Objects.requireNonNull(expert.capabilities(),
                "expert " + name + " (" + plugin + ") returned null capabilities");
    }

    /** Whether this is a personal twin, which gossip, weight sharing and warm starts leave alone. */
    public boolean personal() {
        return personal;
    }

    public String name() {
        return name;
    }

    public String plugin() {
        return plugin;
    }

    public Expert expert() {
        return expert;
    }

    public ExpertCapabilities capabilities() {
        return capabilities;
    }

    /** Batches this slot was active on in the current round. */
    public long activations() {
        return activations;
    }

    void resetRound() {
        activations = 0;
        rowsPredicted = 0;
        lossSum = 0;
        samples = 0;
    }

    double meanLoss() {
        return rowsPredicted == 0 ? Double.NaN : lossSum / rowsPredicted;
    }
}
