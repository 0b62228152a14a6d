package io.scarcity.api;

import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Everything a client tells the coordinator about one round, and all the coordinator ever learns from:
 * metadata, never rows. {@code client} is an opaque id.
 *
 * @param client opaque client id
 * @param domain the client's domain
 * @param round the round (1-based)
 * @param samples rows the client processed in the round
 * @param accuracy prequential accuracy of the mixture over the round (NaN for regression or no labels)
 * @param loss prequential mean loss of the mixture over the round (NaN without labels)
 * @param experts per-expert reports keyed by instance name
 * @param signals latest value of every signal on the client's board at the end of the round
 * @param moments per-feature moments of the round's rows
 */
public record Insight(String client, String domain, int round, long samples, double accuracy, double loss,
                      Map<String, ExpertReport> experts, Map<String, Double> signals, FeatureMoments moments) {
    public Insight {
        Objects.requireNonNull(client, "client is null");
        Objects.requireNonNull(domain, "domain is null");
        Objects.requireNonNull(moments, "moments is null");
        experts = java.util.Collections.unmodifiableMap(new TreeMap<>(Objects.requireNonNull(experts, "experts is null")));
        signals = java.util.Collections.unmodifiableMap(new TreeMap<>(Objects.requireNonNull(signals, "signals is null")));
    }

    /** Approximate size on the wire, for communication accounting. */
    public long sizeBytes() {
        long bytes = 64 + client.length() + domain.length() + 16L * moments.dimensions();
        for (ExpertReport r : experts.values()) {
            bytes += 40 + r.expert().length() + r.plugin().length() + 12L * r.signals().size();
        }
        for (String s : signals.keySet()) {
            bytes += 8 + s.length();
        }
        return bytes;
    }
}
