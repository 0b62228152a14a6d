package io.scarcity.runtime.federation;

import io.scarcity.api.Insight;
import io.scarcity.api.StandardSignals;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A client's weight in aggregation: reliability x data quality x volume, each in [0, 1].
 * <ul>
 *   <li>reliability: share of recent rounds the client reported in ({@link ClientHealth});</li>
 *   <li>data quality: 1 minus the client's outlier rate (the {@code statistical.outlier-rate} signal of
 *       its insight; 1 when no expert publishes it);</li>
 *   <li>volume: {@code n / (n + median n)} over the clients that reported this round, so a client with
 *       the median row count weighs 0.5 and the weight saturates for large clients instead of letting
 *       one big client dominate.</li>
 * </ul>
 * Dropped clients (silent beyond the heartbeat timeout) weigh 0.
 */
public final class ConsensusWeights {
    private ConsensusWeights() {
    }

    public static Map<String, Double> of(List<Insight> insights, List<String> clients, ClientHealth health, int round) {
        List<Long> counts = new ArrayList<>();
        for (Insight i : insights) {
            counts.add(i.samples());
        }
        double median = median(counts);
        Map<String, Insight> byClient = new LinkedHashMap<>();
        for (Insight i : insights) {
            byClient.put(i.client(), i);
        }
        Map<String, Double> weights = new LinkedHashMap<>();
        for (String c : clients) {
            Insight i = byClient.get(c);
            if (i == null || health.dropped(c, round)) {
                weights.put(c, 0.0);
                continue;
            }
            double reliability = health.reliability(c, round);
            double outliers = i.signals().getOrDefault(StandardSignals.OUTLIER_RATE, 0.0);
            double quality = Math.max(0, Math.min(1, 1 - outliers));
            double volume = i.samples() + median <= 0 ? 0 : i.samples() / (i.samples() + median);
            weights.put(c, reliability * quality * volume);
        }
        return weights;
    }

    static double median(List<Long> values) {
        if (values.isEmpty()) {
            return 0;
        }
        List<Long> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2.0;
    }
}
