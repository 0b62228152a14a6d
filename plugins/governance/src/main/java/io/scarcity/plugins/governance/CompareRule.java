package io.scarcity.plugins.governance;

import io.scarcity.api.Batch;

/**
 * {@code left op right} between two features, or between a feature and a constant. A NaN on either side
 * violates the rule, whatever the operator ({@code NaN != x} included).
 */
final class CompareRule extends Rule {
    private final int left;
    private final String leftName;
    private final Operator op;
    /** Feature index of the right side, or -1 for the constant. */
    private final int right;
    private final String rightName;
    private final double constant;

    /** @param right feature index, or -1 to compare with {@code constant} */
    CompareRule(String name, String source, double maxViolationRate, int left, String leftName, Operator op,
                int right, String rightName, double constant) {
        super(name, source, maxViolationRate);
        this.left = left;
        this.leftName = leftName;
        this.op = op;
        this.right = right;
        this.rightName = rightName;
        this.constant = constant;
    }

    @Override
    void check(Batch batch, boolean[] violated) {
        int n = batch.rows();
        int a = left;
        int b = right;
        double c = constant;
        // one loop per operator, so that the comparison is not re-dispatched per row
        switch (op) {
            case LE -> {
                for (int r = 0; r < n; r++) {
                    violated[r] = !(batch.value(r, a) <= (b < 0 ? c : batch.value(r, b)));
                }
            }
            case LT -> {
                for (int r = 0; r < n; r++) {
                    violated[r] = !(batch.value(r, a) < (b < 0 ? c : batch.value(r, b)));
                }
            }
            case GE -> {
                for (int r = 0; r < n; r++) {
                    violated[r] = !(batch.value(r, a) >= (b < 0 ? c : batch.value(r, b)));
                }
            }
            case GT -> {
                for (int r = 0; r < n; r++) {
                    violated[r] = !(batch.value(r, a) > (b < 0 ? c : batch.value(r, b)));
                }
            }
            case EQ -> {
                for (int r = 0; r < n; r++) {
                    violated[r] = !(batch.value(r, a) == (b < 0 ? c : batch.value(r, b)));
                }
            }
            case NE -> {
                for (int r = 0; r < n; r++) {
                    double x = batch.value(r, a);
                    double y = b < 0 ? c : batch.value(r, b);
                    violated[r] = !(x != y) || x != x || y != y;
                }
            }
            default -> throw new IllegalStateException("unhandled operator " + op);
        }
    }

    @Override
    String values(Batch batch, int row) {
        String l = leftName + "=" + batch.value(row, left);
        return right < 0 ? l : l + ", " + rightName + "=" + batch.value(row, right);
    }

    @Override
    String condition() {
        return leftName + " " + op.symbol() + " " + (right < 0 ? String.valueOf(constant) : rightName);
    }
}
