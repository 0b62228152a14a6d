package io.scarcity.network.transport;

import io.scarcity.network.proto.InstalledPlugin;
import io.scarcity.network.proto.Refused;
import io.scarcity.network.proto.Welcome;
import java.util.List;
import java.util.Objects;

/**
 * The coordinator's answer to a host's Hello: welcome it into the run, or refuse it.
 *
 * @param welcome the welcome, {@code null} when refused
 * @param refused the refusal, {@code null} when welcomed
 */
public record Admission(Welcome welcome, Refused refused) {
    public Admission {
        if ((welcome == null) == (refused == null)) {
            throw new IllegalArgumentException("an admission is a welcome or a refusal");
        }
    }

    public static Admission welcome(Welcome welcome) {
        return new Admission(Objects.requireNonNull(welcome, "welcome is null"), null);
    }

    public static Admission refuse(Refused refused) {
        return new Admission(null, Objects.requireNonNull(refused, "refused is null"));
    }

    /** A refusal naming what is wrong and the plugins the host lacks (may be empty). */
    public static Admission refuse(String reason, List<InstalledPlugin> missingPlugins) {
        return refuse(Refused.newBuilder().setReason(reason).addAllMissingPlugins(missingPlugins).build());
    }

    public boolean welcomed() {
        return welcome != null;
    }
}
