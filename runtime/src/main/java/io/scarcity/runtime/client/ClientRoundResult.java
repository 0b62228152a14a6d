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
 * @param rows rows tested then trained on
 * @param correct rows the mixture classified right (classification)
 * @param lossSum sum of per-row losses (0/1 error or squared error)
 * @param logLossSum sum of per-row log-losses (classification)
 * @param confusion classification only ({@code null} for regression): counts of (true class, predicted
 *        class) pairs, row-major {@code k x k}, for kappa
 * @param driftRows stream positions (client row index) where a drift was detected this round
 */
public record ClientRoundResult(String clientId, String domain, int round, boolean classification, long rows,
                                long correct, double lossSum,
                                double logLossSum, long[] confusion, List<Long> driftRows, RoundMetrics metrics,
                                Map<String, Double> signals, MemoryStats memory, Insight insight) {
}
