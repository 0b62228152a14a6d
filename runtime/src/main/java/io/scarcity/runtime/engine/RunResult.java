package io.scarcity.runtime.engine;

import java.util.List;
import java.util.Map;

/**
 * How a run ended.
 *
 * @param roundsCompleted rounds fully done (metrics written)
 * @param domainMetrics per domain {@code [metric, scored rows, 1 if classification else 0]}: the metric is
 *        prequential accuracy for classification, RMSE for regression
 * @param stopReason {@code completed}, or why the run stopped early (e.g. data exhausted)
 * @param injectedDrifts drift positions the sources declared, per domain, as {@code row -> round}
 * @param detectedDrifts rounds in which each client detected a drift
 * @param taskEvaluations accuracy-matrix rows of task streams, in order (empty without task streams)
 * @param quarantinedRows rows skipped as invalid per domain (sources configured to quarantine)
 * @param filteredRows rows per domain that row filters (e.g. governance rules) kept out of the pipeline;
 *        they are not in {@code rows}
 * @param routing what the routers did: expert-batches, those that did no work, activations per expert
 */
public record RunResult(int roundsCompleted, String stopReason, long rows, long correct, double lossSum,
                        Map<String, double[]> domainMetrics, Map<String, Map<Long, Integer>> injectedDrifts,
                        Map<String, List<Integer>> detectedDrifts, Map<String, Long> quarantinedRows,
                        Map<String, Long> filteredRows, long insightsAccepted, long insightsRejected,
                        long gossipBytes, List<TaskEvaluation> taskEvaluations, long elapsedNanos,
                        RoutingTotals routing) {
}
