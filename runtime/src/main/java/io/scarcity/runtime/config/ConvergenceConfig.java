package io.scarcity.runtime.config;

import io.scarcity.api.ConfigException;

/**
 * When the federation counts as converged, and whether the run then stops.
 *
 * @param stop end the run at convergence (default false: only report it)
 * @param lossSpread standard deviation of the reporting clients' losses below which a round is calm
 * @param parameterChange RMS change of the meta-parameters (log learning rates, priors) below which a round is calm
 * @param patience calm rounds in a row that make convergence
 */
public record ConvergenceConfig(boolean stop, double lossSpread, double parameterChange, int patience) {
    public ConvergenceConfig {
        if (!(lossSpread > 0) || Double.isInfinite(lossSpread)) {
            throw new ConfigException("lossSpread", "expected a finite number > 0, got " + lossSpread);
        }
        if (!(parameterChange > 0) || Double.isInfinite(parameterChange)) {
            throw new ConfigException("parameterChange", "expected a finite number > 0, got " + parameterChange);
        }
        if (patience < 1) {
            throw new ConfigException("patience", "expected a whole number >= 1, got " + patience);
        }
    }
}
