package io.scarcity.plugins.governance;

/**
 * A row that broke a rule, kept for inspection.
 *
 * @param rule the rule's name
 * @param row the row's position in the client's stream ({@code Batch.firstRow()} plus its index in the batch)
 * @param values the values the rule read, e.g. {@code low=5.0, high=3.0}
 */
public record Violation(String rule, long row, String values) {
}
