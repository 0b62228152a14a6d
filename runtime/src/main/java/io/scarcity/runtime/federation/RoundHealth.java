package io.scarcity.runtime.federation;

import java.util.List;
import java.util.Map;

/**
 * The coordinator's view of a round: clients that were offline, clients dropped for silence beyond the
 * heartbeat timeout, each client's consensus weight, the spread of client losses, the change of the
 * meta-parameters, and whether the run counts as converged.
 */
public record RoundHealth(List<String> offline, List<String> dropped, Map<String, Double> weights,
                          double lossSpread, double parameterChange, boolean converged) {
}
