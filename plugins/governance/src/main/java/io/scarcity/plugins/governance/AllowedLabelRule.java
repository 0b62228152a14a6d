package io.scarcity.plugins.governance;

import io.scarcity.api.Batch;
import java.util.ArrayList;
import java.util.List;

/**
 * The row's class is one of the allowed class names. Rows of an unlabelled batch have no class to check
 * and never violate it.
 */
final class AllowedLabelRule extends Rule {
    private final boolean[] allowed;
    private final List<String> classNames;

    /** @param allowed per class index of the schema, whether the class is allowed */
    AllowedLabelRule(String name, String source, double maxViolationRate, boolean[] allowed, List<String> classNames) {
        super(name, source, maxViolationRate);
        this.allowed = allowed.clone();
        this.classNames = List.copyOf(classNames);
    }

    @Override
    void check(Batch batch, boolean[] violated) {
        int n = batch.rows();
        if (!batch.hasLabels()) {
            java.util.Arrays.fill(violated, 0, n, false);
            return;
        }
        boolean[] ok = allowed;
        for (int r = 0; r < n; r++) {
            violated[r] = !ok[batch.label(r)];
        }
    }

    @Override
    String values(Batch batch, int row) {
        return "label=" + classNames.get(batch.label(row));
    }

    @Override
    String condition() {
        List<String> names = new ArrayList<>();
        for (int k = 0; k < allowed.length; k++) {
            if (allowed[k]) {
                names.add(classNames.get(k));
            }
        }
        return "label in {" + String.join(", ", names) + "}";
    }
}
