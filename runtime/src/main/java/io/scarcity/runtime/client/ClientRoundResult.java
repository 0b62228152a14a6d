package io.scarcity.runtime.client;

import io.scarcity.api.Insight;
import io.scarcity.api.MemoryStats;
import java.util.List;
import java.util.Map;

/**
 * What one client did in one round: its prequential numbers, the insight it sends the coordinator,
 * and diagnostics for the metrics line.
 *
 * @param classification whether the client's stream is a classification stream (else regression)
 * @param rows rows that arrived and were predicted (and learned from, with or without their label)
 * @param scored rows scored against their label this round, the denominator of accuracy and loss: {@code rows}
 *        when every row is labelled at once; under {@code domains[i].labels} the rows whose label came this round,
 *        each scored with the prediction made at its arrival
 * @param correct scored rows the mixture classified right (classification)
 * @param lossSum sum of per-row losses (0/1 error or squared error)
 * @param logLossSum sum of per-row log-losses (classification)
 * @param confusion classification only ({@code null} for regression): counts of (true class, predicted
 *        class) pairs, row-major {@code k x k}, for kappa
 * @param insight what the client sent the coordinator; {@code null} if it was offline
 * @param missedRows rows that reached the client while it was offline
 * @param driftRows stream positions (client row index) where a drift was detected this round
 * @param filteredRows streamed rows that row filters (e.g. governance rules) kept out this round; not in {@code rows}
 */
public record ClientRoundResult(String clientId, String domain, int round, boolean classification, long rows,
                                long scored, long correct, double lossSum,
                                double logLossSum, long[] confusion, List<Long> driftRows, RoundMetrics metrics,
                                Map<String, Double> signals, MemoryStats memory, Insight insight, long missedRows,
                                long filteredRows) {

    /**
     * This result as it may leave the client under {@code privacy.dp} (a host sending its clients' results to a networked
     * coordinator): the released insight, and numbers computed from it alone (post-processing, which costs no privacy):
     * accuracy and loss over the rows scored (a count fixed by the label schedule, not the data) from the insight's noised
     * values, and the privacy metrics; no confusion matrix, no drift positions, no signals, no memory sizes, no other
     * metrics. The exact numbers stay on the client.
     */
    public ClientRoundResult released() {
        if (insight == null) {
            return new ClientRoundResult(clientId, domain, round, classification, 0, 0, 0, 0, 0, null, List.of(),
                    new RoundMetrics(Map.of(), Map.of(), 0, 0), Map.of(), new MemoryStats(Map.of(), 0), null, missedRows, 0);
        }
        Map<String, Double> privacy = new java.util.TreeMap<>();
        metrics.plugins().forEach((k, v) -> {
            if (k.startsWith("privacy.")) {
                privacy.put(k, v);
            }
        });
        double accuracy = insight.accuracy();
        double loss = insight.loss();
        // a round whose insight was withheld (the budget spent) scores nothing: it must not count as all wrong
        boolean known = Double.isFinite(loss) && (!classification || Double.isFinite(accuracy));
        long counted = known ? scored : 0;
        long right = known && classification ? Math.round(accuracy * scored) : 0;
        double losses = known ? loss * scored : 0;
        return new ClientRoundResult(clientId, domain, round, classification, rows, counted, right, losses, Double.NaN, null,
                List.of(), new RoundMetrics(Map.of(), privacy, 0, 0), Map.of(), new MemoryStats(Map.of(), 0), insight, missedRows, 0);
    }

    /** Whether the client was offline this round (no learning, no insight). */
    public boolean offline() {
        return insight == null;
    }

    /**
     * A round the client was offline for: it learned nothing and reported nothing; {@code missedRows}
     * rows of its stream went by unseen.
     */
    public static ClientRoundResult offline(String clientId, String domain, int round, boolean classification,
                                            long missedRows, MemoryStats memory) {
        return new ClientRoundResult(clientId, domain, round, classification, 0, 0, 0, 0, 0, null, List.of(),
                new RoundMetrics(Map.of(), Map.of(), 0, 0), Map.of(), memory, null, missedRows, 0);
    }
}
