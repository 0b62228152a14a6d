package io.scarcity.runtime.data;

import io.scarcity.api.DataSchema;
import io.scarcity.api.Task;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A generator's rows without their labels ({@code task: unlabelled} on a {@code sea} or {@code hyperplane}
 * stream): the same features in the same order, the schema {@link Task#UNLABELLED}, and no label on any row,
 * so that nothing downstream can learn from one. Concept drifts stay where the generator puts them.
 */
final class UnlabelledSource implements RowSource {
    private final RowSource base;
    private final DataSchema schema;

    UnlabelledSource(RowSource base) {
        this.base = Objects.requireNonNull(base, "base is null");
        this.schema = new DataSchema(base.schema().featureNames(), Task.UNLABELLED, List.of());
    }

    @Override
    public DataSchema schema() {
        return schema;
    }

    @Override
    public Optional<Row> next() {
        return base.next().map(r -> new Row(r.index(), r.features(), -1, Double.NaN, r.group()));
    }

    @Override
    public long quarantined() {
        return base.quarantined();
    }

    @Override
    public List<String> quarantineSamples() {
        return base.quarantineSamples();
    }

    @Override
    public Optional<List<String>> groups() {
        return base.groups();
    }

    @Override
    public List<Long> driftPositions() {
        return base.driftPositions();
    }

    @Override
    public void close() {
        base.close();
    }
}
