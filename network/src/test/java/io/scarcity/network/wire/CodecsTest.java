package io.scarcity.network.wire;

import static io.scarcity.network.wire.SameValue.assertSameValue;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scarcity.api.DataSchema;
import io.scarcity.api.ExpertReport;
import io.scarcity.api.ExpertState;
import io.scarcity.api.FeatureMoments;
import io.scarcity.api.Insight;
import io.scarcity.api.MemoryStats;
import io.scarcity.api.MetaParameters;
import io.scarcity.api.StateReader;
import io.scarcity.api.StateWriter;
import io.scarcity.api.Task;
import io.scarcity.network.testing.QuickstartRun;
import io.scarcity.runtime.client.ClientNode;
import io.scarcity.runtime.client.ClientRoundResult;
import io.scarcity.runtime.client.RoundMetrics;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Every codec gives back exactly what it was given: values from a real run (the quickstart, with offline
 * clients), and the edge cases a run may not produce (NaN payloads, negative zero, infinities, nulls,
 * regression, empty maps, maps in a non-sorted order).
 */
class CodecsTest {
    /** A NaN that is not Java's canonical one: only a bit-exact codec keeps it. */
    static final double ODD_NAN = Double.longBitsToDouble(0x7ff8_0000_0000_0123L);

    static <T> T trip(Codec<T> codec, T value) {
        byte[] bytes = codec.encode(value);
        T back = codec.decode(bytes);
        assertSameValue(value, back);
        assertArrayEquals(bytes, codec.encode(back), codec.name() + " encodes its decoded value to the same bytes");
        return back;
    }

    @Test
    void roundResultsOfARealRunTripExactly() {
        QuickstartRun run = QuickstartRun.get();
        assertEquals(15, run.results().size(), "5 clients x 3 rounds");
        boolean offline = false;
        boolean online = false;
        for (ClientRoundResult r : run.results()) {
            ClientRoundResult back = trip(Codecs.ROUND_RESULT, r);
            assertEquals(r.offline(), back.offline());
            offline |= r.offline();
            online |= !r.offline();
            if (!r.offline()) {
                assertTrue(r.confusion() != null && r.insight().experts().size() == 3 && !r.metrics().experts().isEmpty(),
                        "a live result carries the whole of what the client measured: " + r);
                trip(Codecs.INSIGHT, r.insight());
                trip(Codecs.ROUND_METRICS, r.metrics());
                trip(Codecs.MEMORY_STATS, r.memory());
            }
        }
        assertTrue(offline && online, "the run has offline and live results");
    }

    @Test
    void statesSignalsAndSchemasOfARealRunTripExactly() {
        QuickstartRun run = QuickstartRun.get();
        int states = 0;
        for (ClientNode c : run.clients()) {
            trip(Codecs.SCHEMA, c.schema());
            Map<String, Double> signals = c.signals();
            assertFalse(signals.isEmpty(), "the drift expert writes signals");
            trip(Codecs.SIGNALS, signals);
            for (String expert : c.gossipableExperts(0)) {
                ExpertState s = c.exportState(expert);
                assertTrue(s.weights().values().stream().mapToInt(w -> w.length).sum() > 0, expert + " has weights");
                trip(Codecs.EXPERT_STATE, s);
                states++;
            }
        }
        assertTrue(states >= 10, "two statistical experts per client are gossipable, found " + states);
    }

    @Test
    void metaParametersLearnedFromARealRunTripExactly() {
        List<MetaParameters> params = QuickstartRun.get().parameters();
        assertTrue(params.size() >= 4, "both domains over the rounds, found " + params.size());
        for (MetaParameters p : params) {
            assertFalse(p.learningRates().isEmpty() && p.routerPriors().isEmpty(), "the insight meta-learner says something: " + p);
            trip(Codecs.META_PARAMETERS, p);
        }
        trip(Codecs.META_PARAMETERS, MetaParameters.none("coast", 3));
    }

    @Test
    void edgeValuesTripBitForBit() {
        Map<String, Double> odd = new LinkedHashMap<>();
        odd.put("z.nan", ODD_NAN);
        odd.put("a.minus-zero", -0.0);
        odd.put("m.inf", Double.POSITIVE_INFINITY);
        odd.put("b.neg-inf", Double.NEGATIVE_INFINITY);
        odd.put("c.tiny", Double.MIN_VALUE);
        Map<String, Double> back = trip(Codecs.SIGNALS, odd);
        assertEquals(List.of("z.nan", "a.minus-zero", "m.inf", "b.neg-inf", "c.tiny"), List.copyOf(back.keySet()),
                "a map comes back in the order it was written");
        assertEquals(0x7ff8_0000_0000_0123L, Double.doubleToRawLongBits(back.get("z.nan")));
        trip(Codecs.SIGNALS, Map.of());

        trip(Codecs.EXPERT_STATE, new ExpertState("stat", Map.of("mean", new double[] {ODD_NAN, -0.0, 1e-300},
                "empty", new double[0]), 0));

        // a regression client's round: no confusion matrix, NaN accuracy, an offline-style empty metrics
        FeatureMoments moments = new FeatureMoments(2, new double[] {ODD_NAN, -0.0}, new double[] {0, Double.MAX_VALUE});
        Insight insight = new Insight("c-0", "d", 7, 2, Double.NaN, 0.25,
                Map.of("e", new ExpertReport("e", "plugin", Double.NaN, 2, 0, Double.NaN, Map.of("s", -0.0))),
                Map.of("s", ODD_NAN), moments);
        Map<String, RoundMetrics.ExpertRound> experts = new LinkedHashMap<>();
        experts.put("second", new RoundMetrics.ExpertRound(0, Double.NaN, 0, Double.NaN, true));
        experts.put("first", new RoundMetrics.ExpertRound(3, 0.5, 10, 0.01, false));
        ClientRoundResult regression = new ClientRoundResult("c-0", "d", 7, false, 3, 2, 0, 0.5, 0.0, null,
                List.of(1L, Long.MAX_VALUE), new RoundMetrics(experts, Map.of("p.count", 3.0), 6, 2),
                Map.of("s", ODD_NAN), new MemoryStats(Map.of("working", 4, "long", 0), 123), insight, 0, 9);
        ClientRoundResult r = trip(Codecs.ROUND_RESULT, regression);
        assertNull(r.confusion());
        assertEquals(List.of("second", "first"), List.copyOf(r.metrics().experts().keySet()));

        // what a client offline from the start sends: nulls where the record allows them
        trip(Codecs.ROUND_RESULT, ClientRoundResult.offline("c-1", "d", 1, true, 500, null));
        trip(Codecs.ROUND_RESULT, new ClientRoundResult(null, null, 0, true, 0, 0, 0, 0, 0, new long[0], null, null, null,
                null, null, 0, 0));

        trip(Codecs.SCHEMA, new DataSchema(List.of("x", "ÿ ü"), Task.REGRESSION, List.of()));
        trip(Codecs.SCHEMA, new DataSchema(List.of("f1", "f2", "f3"), Task.CLASSIFICATION, List.of("no", "yes")));
        trip(Codecs.MOMENTS, new FeatureMoments(0, new double[0], new double[0]));
    }

    @Test
    void aValueInsideALargerStateReadsBackWithItsNeighbours() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        StateWriter out = new StateWriter(bytes);
        DataSchema schema = new DataSchema(List.of("a"), Task.REGRESSION, null);
        out.writeInt(41);
        Codecs.SCHEMA.write(out, schema);
        out.writeInt(42);
        out.flush();
        StateReader in = new StateReader(new ByteArrayInputStream(bytes.toByteArray()));
        assertEquals(41, in.readInt());
        assertSameValue(schema, Codecs.SCHEMA.read(in));
        assertEquals(42, in.readInt());
    }

    @Test
    void badBytesAreRefusedNamingTheValue() throws Exception {
        byte[] good = Codecs.SCHEMA.encode(new DataSchema(List.of("a", "b"), Task.CLASSIFICATION, List.of("x", "y")));

        WireFormatException truncated = assertThrows(WireFormatException.class,
                () -> Codecs.SCHEMA.decode(Arrays.copyOf(good, good.length - 3)));
        assertTrue(truncated.getMessage().contains("data schema"), truncated.getMessage());

        byte[] longer = Arrays.copyOf(good, good.length + 2);
        WireFormatException leftOver = assertThrows(WireFormatException.class, () -> Codecs.SCHEMA.decode(longer));
        assertTrue(leftOver.getMessage().contains("2 of its"), leftOver.getMessage());

        byte[] otherVersion = good.clone();
        otherVersion[3] = 9;
        WireFormatException version = assertThrows(WireFormatException.class, () -> Codecs.SCHEMA.decode(otherVersion));
        assertTrue(version.getMessage().contains("version 9") && version.getMessage().contains("reads 1"), version.getMessage());

        // values the record itself refuses: a classification task with one class
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        StateWriter out = new StateWriter(bytes);
        out.writeVersion(Codec.FORMAT_VERSION);
        out.writeInt(1);
        out.writeString("a");
        out.writeString("CLASSIFICATION");
        out.writeInt(1);
        out.writeString("only");
        out.flush();
        WireFormatException invalid = assertThrows(WireFormatException.class, () -> Codecs.SCHEMA.decode(bytes.toByteArray()));
        assertTrue(invalid.getMessage().contains("invalid data schema") && invalid.getMessage().contains("two classes"),
                invalid.getMessage());
        out.writeInt(0);
        out.flush();
        assertThrows(WireFormatException.class, () -> Codecs.SCHEMA.decode(bytes.toByteArray()));

        // a length that would exhaust memory
        byte[] huge = Codecs.SIGNALS.encode(Map.of());
        huge[4] = 0x7f;
        assertThrows(WireFormatException.class, () -> Codecs.SIGNALS.decode(huge));
    }
}
