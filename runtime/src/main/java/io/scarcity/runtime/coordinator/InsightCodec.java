package io.scarcity.runtime.coordinator;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.core.json.JsonWriteFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.scarcity.api.Insight;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * An insight as JSON text: the payload column of the global memory, and the measure of an insight's size
 * when the coordinator checks it against the maximum.
 *
 * <p>NaN is meaningful in an insight (accuracy of a regression client, loss of an expert that never
 * predicted), and JSON has no NaN: non-finite numbers are written as the strings {@code "NaN"},
 * {@code "Infinity"}, {@code "-Infinity"} (standard JSON, so PostgreSQL or {@code jq} can read the column)
 * and read back to the same double. Thread-safe.
 */
final class InsightCodec {
    private static final ObjectMapper MAPPER = JsonMapper.builder()
            .enable(JsonWriteFeature.WRITE_NAN_AS_STRINGS)
            // also accept bare NaN tokens, should another writer have produced them
            .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .build();

    private InsightCodec() {
    }

    static byte[] encode(Insight insight) {
        Objects.requireNonNull(insight, "insight is null");
        try {
            return MAPPER.writeValueAsBytes(insight);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write an insight as JSON: " + e.getOriginalMessage(), e);
        }
    }

    /** Meta-parameters as JSON, for the audit log's hash of a broadcast. */
    static byte[] encodeParameters(io.scarcity.api.MetaParameters parameters) {
        try {
            return MAPPER.writeValueAsBytes(parameters);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write meta-parameters as JSON: " + e.getOriginalMessage(), e);
        }
    }

    static String encodeText(Insight insight) {
        return new String(encode(insight), StandardCharsets.UTF_8);
    }

    static Insight decode(String json) {
        Objects.requireNonNull(json, "json is null");
        try {
            return MAPPER.readValue(json, Insight.class);
        } catch (JsonProcessingException e) {
            throw new GlobalMemoryException("a stored insight is not readable JSON (" + e.getOriginalMessage()
                    + "); the store was written by another program or version", e);
        }
    }
}
