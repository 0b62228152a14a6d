package io.scarcity.plugins.governance;

import io.scarcity.api.Batch;

/**
 * One compiled constraint: features resolved to column indices, bounds and sets to primitives, so that
 * checking a batch is a loop over primitive values without allocation.
 *
 * <p>A {@code NaN} value violates every rule that reads it; infinities violate {@code required} and any
 * bound they cross.
 */
abstract class Rule {
    private final String name;
    private final String source;
    private final double maxViolationRate;

    /**
     * @param name unique among the expert's rules, used in metrics ({@code governance.violations.<name>}) and logs
     * @param source where the rule was written, e.g. {@code rules[2]}, for messages
     * @param maxViolationRate this rule's own maximum rate of violations in the window, or NaN for none
     */
    Rule(String name, String source, double maxViolationRate) {
        this.name = name;
        this.source = source;
        this.maxViolationRate = maxViolationRate;
    }

    final String name() {
        return name;
    }

    final String source() {
        return source;
    }

    /** This rule's own maximum violation rate, NaN if it has none. */
    final double maxViolationRate() {
        return maxViolationRate;
    }

    /**
     * Sets {@code violated[r]} for every row {@code r < batch.rows()}: whether the row breaks the rule.
     *
     * @param violated at least {@code batch.rows()} long; every flag below that is overwritten
     */
    abstract void check(Batch batch, boolean[] violated);

    /** The values the rule read in a row, e.g. {@code low=5.0, high=3.0}, for samples and logs. */
    abstract String values(Batch batch, int row);

    /** What the rule demands, e.g. {@code temperature in [-40.0, 60.0]}. */
    abstract String condition();

    /**
     * A complete, canonical description (type, name, resolved features, constants, limit): two rules check
     * the same rows alike iff their descriptions are equal. Saved in checkpoints to refuse other rules.
     */
    final String describe() {
        return name + ": " + condition() + " (max rate " + maxViolationRate + ")";
    }

    @Override
    public final String toString() {
        return describe();
    }
}
