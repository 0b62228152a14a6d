package io.scarcity.network.transport;

import io.scarcity.network.proto.InstalledPlugin;
import io.scarcity.network.proto.Refused;
import java.util.stream.Collectors;

/** The coordinator refused the host (e.g. plugins missing); the host does not try again. */
public final class HostRefusedException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final transient Refused refused;

    public HostRefusedException(Refused refused) {
        super(message(refused));
        this.refused = refused;
    }

    /** The refusal as the coordinator sent it. */
    public Refused refused() {
        return refused;
    }

    private static String message(Refused r) {
        String missing = r.getMissingPluginsList().stream().map(HostRefusedException::describe).collect(Collectors.joining(", "));
        return "the coordinator refused this host: " + r.getReason() + (missing.isEmpty() ? "" : " (missing: " + missing + ")");
    }

    private static String describe(InstalledPlugin p) {
        return p.getKind() + " '" + p.getName() + "'" + (p.getVersion().isEmpty() ? "" : " " + p.getVersion());
    }
}
