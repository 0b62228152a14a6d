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
