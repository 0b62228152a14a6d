package io.scarcity.runtime.data;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.scarcity.api.PluginConfig;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Making and reading streams the way the data tests do: through the factory, as a config would. */
final class TestStreams {
    private TestStreams() {
    }

    /**
     * The stream {@link StreamFactory} makes of {@code options} with {@code type} set, failing the test
     * if it leaves an option unread: a misspelt option would otherwise be silently ignored and the test
     * would check the default instead.
     */
    static <S extends RowSource> S create(Class<S> kind, String type, Map<String, ?> options, long seed,
            Path baseDir) {
        Map<String, Object> m = new LinkedHashMap<>(options);
        m.put("type", type);
        PluginConfig cfg = PluginConfig.of("stream", m);
        S s = kind.cast(StreamFactory.create(cfg, seed, baseDir));
        assertEquals(Set.of(), cfg.unreadKeys());
        return s;
    }

    /** Every row left in {@code s}. */
    static List<Row> drain(RowSource s) {
        List<Row> rows = new ArrayList<>();
        for (var r = s.next(); r.isPresent(); r = s.next()) {
            rows.add(r.get());
        }
        return rows;
    }
}
