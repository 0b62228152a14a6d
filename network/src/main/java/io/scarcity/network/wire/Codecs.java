package io.scarcity.network.wire;

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
import io.scarcity.runtime.client.ClientRoundResult;
import io.scarcity.runtime.client.RoundMetrics;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The codecs of the values the round protocol exchanges with a client: what a client sends (its round
 * result with its insight, its signals, its expert states, its schema) and what it receives (meta-parameters,
 * merged expert states). One binary format for the wire and for checkpoints (that of {@link StateWriter});
 * the coordinator's store keeps insights as JSON text instead (the runtime's {@code InsightCodec}), which is
 * right for a database column but not for this: it would be a second format beside the checkpoints', and
 * JSON keeps neither NaN payloads nor the maps' order.
 *
 * <p>Maps decode in the order they were written, so a value iterates after the trip as it did before it
 * (metrics written from it come out byte for byte the same); decoded maps and lists are unmodifiable.
 */
public final class Codecs {
    private Codecs() {
    }

    /** A map of names to numbers, e.g. a client's signal board or a plugin's counters, in its order. */
    public static final Codec<Map<String, Double>> SIGNALS = new Codec<>("signal map",
            StateWriter::writeDoubleMap,
            in -> Collections.unmodifiableMap(in.readDoubleMap()));

    /** An expert's gossipable state. */
    public static final Codec<ExpertState> EXPERT_STATE = new Codec<>("expert state",
            StateWriter::writeExpertState, StateReader::readExpertState);

    /** The shape of a client's stream. */
    public static final Codec<DataSchema> SCHEMA = new Codec<>("data schema", Codecs::writeSchema, Codecs::readSchema);

    /** Per-feature moments (count, mean, M2). */
    public static final Codec<FeatureMoments> MOMENTS = new Codec<>("feature moments",
            (out, v) -> out.writeMoments(v), StateReader::readMoments);

    /** What the coordinator sends the clients of a domain after a round. */
    public static final Codec<MetaParameters> META_PARAMETERS = new Codec<>("meta-parameters",
            (out, v) -> out.writeMetaParameters(v), StateReader::readMetaParameters);

    /** What a client tells the coordinator about a round. */
    public static final Codec<Insight> INSIGHT = new Codec<>("insight", (out, v) -> out.writeInsight(v), StateReader::readInsight);

    /** How full a client's memory is. */
    public static final Codec<MemoryStats> MEMORY_STATS = new Codec<>("memory stats",
            Codecs::writeMemory, Codecs::readMemory);

    /** A client's round counters and what the runtime measured of its experts and routing. */
    public static final Codec<RoundMetrics> ROUND_METRICS = new Codec<>("round metrics",
            Codecs::writeMetrics, Codecs::readMetrics);

    /** Everything a client did in a round, its insight included ({@code null} when it was offline). */
    public static final Codec<ClientRoundResult> ROUND_RESULT = new Codec<>("round result",
            Codecs::writeResult, Codecs::readResult);

    // ---- schema

    private static void writeSchema(StateWriter out, DataSchema s) throws IOException {
        writeStrings(out, s.featureNames());
        out.writeString(s.task().name());
        writeStrings(out, s.classNames());
    }

    private static DataSchema readSchema(StateReader in) throws IOException {
        List<String> features = readStrings(in);
        String task = in.readString();
        List<String> classes = readStrings(in);
        return new DataSchema(features, Task.valueOf(task), classes);
    }

    // ---- moments, parameters, insights

    // ---- round results

    private static void writeMemory(StateWriter out, MemoryStats m) throws IOException {
        out.writeInt(m.tierSizes().size());
        for (Map.Entry<String, Integer> e : m.tierSizes().entrySet()) {
            out.writeString(e.getKey());
            out.writeInt(e.getValue());
        }
        out.writeLong(m.bytes());
    }

    private static MemoryStats readMemory(StateReader in) throws IOException {
        int n = count(in);
        Map<String, Integer> tiers = new LinkedHashMap<>();
        for (int k = 0; k < n; k++) {
            tiers.put(in.readString(), in.readInt());
        }
        return new MemoryStats(tiers, in.readLong());
    }

    private static void writeMetrics(StateWriter out, RoundMetrics m) throws IOException {
        out.writeInt(m.experts().size());
        for (Map.Entry<String, RoundMetrics.ExpertRound> e : m.experts().entrySet()) {
            out.writeString(e.getKey());
            RoundMetrics.ExpertRound r = e.getValue();
            out.writeLong(r.activations());
            out.writeDouble(r.loss());
            out.writeLong(r.samples());
            out.writeDouble(r.learningRate());
            out.writeBoolean(r.candidate());
        }
        out.writeDoubleMap(m.plugins());
        out.writeLong(m.expertBatches());
        out.writeLong(m.idleExpertBatches());
    }

    private static RoundMetrics readMetrics(StateReader in) throws IOException {
        int n = count(in);
        Map<String, RoundMetrics.ExpertRound> experts = new LinkedHashMap<>();
        for (int k = 0; k < n; k++) {
            String name = in.readString();
            experts.put(name, new RoundMetrics.ExpertRound(in.readLong(), in.readDouble(), in.readLong(),
                    in.readDouble(), in.readBoolean()));
        }
        Map<String, Double> plugins = in.readDoubleMap();
        return new RoundMetrics(Collections.unmodifiableMap(experts), Collections.unmodifiableMap(plugins),
                in.readLong(), in.readLong());
    }

    private static void writeResult(StateWriter out, ClientRoundResult r) throws IOException {
        out.writeString(r.clientId());
        out.writeString(r.domain());
        out.writeInt(r.round());
        out.writeBoolean(r.classification());
        out.writeLong(r.rows());
        out.writeLong(r.scored());
        out.writeLong(r.correct());
        out.writeDouble(r.lossSum());
        out.writeDouble(r.logLossSum());
        out.writeLongs(r.confusion());
        out.writeLongs(r.driftRows() == null ? null : r.driftRows().stream().mapToLong(Long::longValue).toArray());
        writeNullable(out, r.metrics(), Codecs::writeMetrics);
        out.writeBoolean(r.signals() != null);
        if (r.signals() != null) {
            out.writeDoubleMap(r.signals());
        }
        writeNullable(out, r.memory(), Codecs::writeMemory);
        writeNullable(out, r.insight(), (o, v) -> o.writeInsight(v));
        out.writeLong(r.missedRows());
        out.writeLong(r.filteredRows());
    }

    private static ClientRoundResult readResult(StateReader in) throws IOException {
        String clientId = in.readString();
        String domain = in.readString();
        int round = in.readInt();
        boolean classification = in.readBoolean();
        long rows = in.readLong();
        long scored = in.readLong();
        long correct = in.readLong();
        double lossSum = in.readDouble();
        double logLossSum = in.readDouble();
        long[] confusion = in.readLongs();
        long[] drifts = in.readLongs();
        List<Long> driftRows = null;
        if (drifts != null) {
            List<Long> d = new ArrayList<>(drifts.length);
            for (long x : drifts) {
                d.add(x);
            }
            driftRows = Collections.unmodifiableList(d);
        }
        RoundMetrics metrics = readNullable(in, Codecs::readMetrics);
        Map<String, Double> signals = in.readBoolean() ? Collections.unmodifiableMap(in.readDoubleMap()) : null;
        MemoryStats memory = readNullable(in, Codecs::readMemory);
        Insight insight = readNullable(in, StateReader::readInsight);
        long missedRows = in.readLong();
        long filteredRows = in.readLong();
        return new ClientRoundResult(clientId, domain, round, classification, rows, scored, correct, lossSum, logLossSum,
                confusion, driftRows, metrics, signals, memory, insight, missedRows, filteredRows);
    }

    // ---- helpers

    private static <T> void writeNullable(StateWriter out, T value, Codec.Writer<T> writer) throws IOException {
        out.writeBoolean(value != null);
        if (value != null) {
            writer.write(out, value);
        }
    }

    private static <T> T readNullable(StateReader in, Codec.Reader<T> reader) throws IOException {
        return in.readBoolean() ? reader.read(in) : null;
    }

    private static void writeStrings(StateWriter out, List<String> v) throws IOException {
        out.writeInt(v.size());
        for (String s : v) {
            out.writeString(s);
        }
    }

    private static List<String> readStrings(StateReader in) throws IOException {
        int n = count(in);
        List<String> v = new ArrayList<>(Math.min(n, 1024));
        for (int k = 0; k < n; k++) {
            v.add(in.readString());
        }
        return Collections.unmodifiableList(v);
    }

    /** A count of entries that follow, checked like the reader's own lengths. */
    private static int count(StateReader in) throws IOException {
        int n = in.readInt();
        if (n < 0 || n > StateReader.MAX_LENGTH) {
            throw new IOException("corrupt payload: count " + n);
        }
        return n;
    }
}
