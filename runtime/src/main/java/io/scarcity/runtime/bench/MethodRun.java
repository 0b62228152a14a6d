package io.scarcity.runtime.bench;

import java.util.List;
import java.util.Map;

/**
 * What one method measured with one seed.
 *
 * @param accuracyByRound prequential accuracy of each round over all classification rows (NaN if none)
 * @param clientAccuracy prequential accuracy of each client over the run (classification)
 * @param recoveryRounds rounds to recover from each injected drift (NaN: not recovered)
 * @param bytesPerClientRound mean bytes a client sent per round (insights, gossip, weights)
 * @param rowsToTarget for each late-joining client, the rows it learned from (from its first round) until
 *        its accuracy in a round first reached the suite's cold-start target (NaN: never)
 * @param peakHeapMb peak heap during the run (all pools, after a GC before it)
 * @param computeSaved share of the expert-batches (predicting candidates x batches) on which the expert did no work
 *        because the router left it out; NaN without batches
 * @param precision of the suite's {@code positiveClass}: of the rows predicted (or flagged) as it, the share that are;
 *        NaN without one
 * @param recall of the suite's {@code positiveClass}: of its rows, the share predicted (or flagged) as it
 */
public record MethodRun(String method, long seed, long rows, double accuracy, double kappa, double rmse,
                        double[] accuracyByRound, Map<String, Double> clientAccuracy, double finalTaskAccuracy,
                        double backwardTransfer, double forgetting, double[][] accuracyMatrix, int[] taskOf,
                        List<Double> recoveryRounds, double bytesPerClientRound, double rowsPerSecond, double peakHeapMb,
                        List<Double> rowsToTarget, double computeSaved, double precision, double recall) {
}
