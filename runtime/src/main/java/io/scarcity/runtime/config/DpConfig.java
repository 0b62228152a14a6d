package io.scarcity.runtime.config;

import io.scarcity.api.ConfigException;

/**
 * Differential privacy on what leaves a client ({@code privacy.dp}; off when absent). See {@code docs/privacy.md}.
 *
 * <ul>
 * <li>{@code epsilon}, {@code delta}: the budget of each client over the whole run, (ε, δ) in the sense of
 *     client-level differential privacy: whatever a client's rows are, what it releases changes in distribution by at
 *     most that. Required: {@code epsilon > 0}; {@code delta} in (0, 1), default 1e-5.</li>
 * <li>{@code outputs}: what is noised: {@code insights} (the default: the insights to the coordinator, client-level),
 *     {@code gossip} (what peers receive of the experts, row-level: noised sums of bounded rows instead of states; experts
 *     that cannot share row sums are not gossiped) or {@code both}. Under {@code gossip} and {@code both}, states never go
 *     to the coordinator (weight sharing and warm starts are refused).</li>
 * <li>{@code stateBound}: under gossip, each feature of a row, standardised by the pooled feature moments, is clipped to
 *     [-stateBound, stateBound] before it is summed (default 3).</li>
 * <li>{@code lossBound}: losses are clipped to [0, lossBound] before noise (default 1: a classifier's 0/1 loss;
 *     set it for regression's squared error or a loss without labels).</li>
 * <li>{@code moments}: whether feature moments are released too (default false: they are withheld); they need
 *     {@code featureBound}, the bound each feature's mean is clipped to, [-featureBound, featureBound] (its variance
 *     to [0, featureBound²]).</li>
 * <li>{@code noise}: {@code secure} (the default: drawn from the operating system's secure random source) or
 *     {@code seeded} (from the run's seed, so that an experiment can be repeated exactly; no protection against anyone
 *     who knows the seed).</li>
 * </ul>
 */
public record DpConfig(Double epsilon, Double delta, String outputs, Double lossBound, Boolean moments,
                       Double featureBound, String noise, Double stateBound) {
    public static final double DEFAULT_DELTA = 1e-5;
    public static final double DEFAULT_STATE_BOUND = 3.0;


    public DpConfig {
        if (epsilon == null) {
            throw new ConfigException("epsilon", "missing: the privacy budget of each client over the run, e.g. epsilon: 4"
                    + " (smaller is more private and noisier)");
        }
        if (!(epsilon > 0) || epsilon.isInfinite()) {
            throw new ConfigException("epsilon", "expected a budget > 0 (e.g. 1, 4 or 16), got " + epsilon);
        }
        if (delta == null) {
            delta = DEFAULT_DELTA;
        }
        if (!(delta > 0 && delta < 1)) {
            throw new ConfigException("delta", "expected a probability in (0, 1), well below 1 / the number of clients "
                    + "(e.g. 1e-5), got " + delta);
        }
        if (outputs == null) {
            outputs = "insights";
        }
        if (!outputs.equals("insights") && !outputs.equals("gossip") && !outputs.equals("both")) {
            throw new ConfigException("outputs", "expected insights (the default: the insights to the coordinator), gossip (what "
                    + "peers receive: noised row sums instead of expert states) or both, got '" + outputs + "'");
        }
        if (stateBound == null && !outputs.equals("insights")) {
            stateBound = DEFAULT_STATE_BOUND;
        }
        if (stateBound != null && outputs.equals("insights")) {
            throw new ConfigException("stateBound", "applies only to gossip (outputs: gossip or both); set outputs or remove it");
        }
        if (stateBound != null && (!(stateBound > 0) || stateBound.isInfinite())) {
            throw new ConfigException("stateBound", "expected the bound each standardised feature is clipped to before it is "
                    + "summed, > 0 (e.g. 3 standard deviations), got " + stateBound);
        }
        if (outputs.equals("both") && !Boolean.TRUE.equals(moments)) {
            throw new ConfigException("outputs", "'both' needs the pooled feature moments, which gossip standardises rows by and "
                    + "which under DP reach the coordinator only when noised: set moments: true (with featureBound), or use "
                    + "outputs: gossip (insights then leave without noise)");
        }
        if (lossBound == null) {
            lossBound = 1.0;
        }
        if (!(lossBound > 0) || lossBound.isInfinite()) {
            throw new ConfigException("lossBound", "expected the bound losses are clipped to, > 0 (1 for a classifier's "
                    + "0/1 loss), got " + lossBound);
        }
        moments = moments != null && moments;
        if (moments && featureBound == null) {
            throw new ConfigException("featureBound", "missing: moments: true needs the bound each feature is clipped "
                    + "to, e.g. featureBound: 5 for standardised features; or set moments: false");
        }
        if (featureBound != null && (!(featureBound > 0) || featureBound.isInfinite())) {
            throw new ConfigException("featureBound", "expected a clipping bound > 0, got " + featureBound);
        }
        if (moments && outputs.equals("gossip")) {
            throw new ConfigException("moments", "applies to noised insights; with outputs: gossip the insights (and their moments) "
                    + "leave without noise; use outputs: both or remove it");
        }
        if (featureBound != null && !moments) {
            throw new ConfigException("featureBound", "applies only with moments: true; set moments: true or remove it");
        }
        if (noise == null) {
            noise = "secure";
        }
        if (!noise.equals("secure") && !noise.equals("seeded")) {
            throw new ConfigException("noise", "expected secure (the default) or seeded (repeatable, for experiments "
                    + "only), got '" + noise + "'");
        }
    }

    /** Whether the insights are noised (outputs {@code insights} or {@code both}). */
    public boolean noisesInsights() {
        return !outputs.equals("gossip");
    }

    /** Whether gossip leaves as noised row sums (outputs {@code gossip} or {@code both}). */
    public boolean noisesGossip() {
        return !outputs.equals("insights");
    }

    public boolean seeded() {
        return noise.equals("seeded");
    }
}
