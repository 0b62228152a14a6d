package io.scarcity.runtime.federation;

import io.scarcity.api.Insight;
import io.scarcity.api.MetaParameters;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Tracks whether the federation has settled: the spread (standard deviation) of the losses of the
 * clients that reported in a round, and how much the meta-parameters moved (root mean square change of
 * log learning-rate hints and router priors over every domain and expert). Converged once both stay
 * below their thresholds for {@code patience} rounds in a row.
 */
public final class ConvergenceTracker implements io.scarcity.api.Checkpointable {
    private final double lossSpreadThreshold;
    private final double changeThreshold;
    private final int patience;
    private final Map<String, Double> previous = new TreeMap<>();
    private int calm;
    private double lastSpread = Double.NaN;
    private double lastChange = Double.NaN;

    public ConvergenceTracker(double lossSpreadThreshold, double changeThreshold, int patience) {
        this.lossSpreadThreshold = lossSpreadThreshold;
        this.changeThreshold = changeThreshold;
        this.patience = patience;
    }

    @Override
    public void saveState(io.scarcity.api.StateWriter out) throws java.io.IOException {
        out.writeDoubleMap(previous);
        out.writeInt(calm);
        out.writeDouble(lastSpread);
        out.writeDouble(lastChange);
    }

    @Override
    public void restoreState(io.scarcity.api.StateReader in) throws java.io.IOException {
        previous.clear();
        previous.putAll(in.readDoubleMap());
        calm = in.readInt();
        lastSpread = in.readDouble();
        lastChange = in.readDouble();
    }

    /** Observes a round; returns whether the run has now converged. */
    public boolean observe(List<Insight> insights, Map<String, MetaParameters> parameters) {
        double sum = 0;
        double sq = 0;
        int n = 0;
        for (Insight i : insights) {
            if (!Double.isNaN(i.loss())) {
                sum += i.loss();
                sq += i.loss() * i.loss();
                n++;
            }
        }
        return observe(spread(sum, sq, n), parameters);
    }

    /** The sample standard deviation of {@code n} losses from their sum and sum of squares; NaN for fewer than two. */
    public static double spread(double sum, double squares, double n) {
        return n < 2 ? Double.NaN : Math.sqrt(Math.max(0, (squares - sum * sum / n) / (n - 1)));
    }

    /**
     * Observes a round whose spread of client losses is known already (NaN with fewer than two losses), e.g. from the
     * sums of a secure aggregation; returns whether the run has now converged.
     */
    public boolean observe(double lossSpread, Map<String, MetaParameters> parameters) {
        lastSpread = lossSpread;
        Map<String, Double> current = new TreeMap<>(previous);
        for (MetaParameters p : parameters.values()) {
            p.learningRates().forEach((e, v) -> {
                if (v > 0) {
                    current.put(p.domain() + "/lr/" + e, Math.log(v));
                }
            });
            p.routerPriors().forEach((e, v) -> current.put(p.domain() + "/prior/" + e, v));
        }
        double change = 0;
        int m = 0;
        for (Map.Entry<String, Double> e : current.entrySet()) {
            Double before = previous.get(e.getKey());
            if (before != null) {
                change += (e.getValue() - before) * (e.getValue() - before);
                m++;
            }
        }
        lastChange = m == 0 ? Double.NaN : Math.sqrt(change / m);
        previous.clear();
        previous.putAll(current);
        boolean quiet = !Double.isNaN(lastSpread) && lastSpread < lossSpreadThreshold
                && !Double.isNaN(lastChange) && lastChange < changeThreshold;
        calm = quiet ? calm + 1 : 0;
        return calm >= patience;
    }

    /** Loss spread of the last observed round (NaN with fewer than two losses). */
    public double lossSpread() {
        return lastSpread;
    }

    /** Meta-parameter change of the last observed round (NaN before two rounds of parameters). */
    public double parameterChange() {
        return lastChange;
    }
}
