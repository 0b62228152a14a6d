package io.scarcity.api.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scarcity.api.Batch;
import io.scarcity.api.DataSchema;
import io.scarcity.api.InMemorySignalBoard;
import io.scarcity.api.Memory;
import io.scarcity.api.MemoryFactory;
import io.scarcity.api.MemoryStats;
import io.scarcity.api.PluginContext;
import io.scarcity.api.RowCodec;
import io.scarcity.api.SignalBoard;
import io.scarcity.api.StandardSignals;
import io.scarcity.api.Task;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.function.Supplier;

/**
 * Memories under the shared contract of {@link PluginTestKit}: generated batches (skewed classes, unlabelled
 * and weighted ones, drift and loss signals), a driver that stores and samples as the runtime does and checks
 * every replay, a codec for memories that keep codes, and {@link #assertContract} that checks all of it in
 * one call.
 */
public final class MemoryTestKit {
    /** Three features, three classes. */
    public static final DataSchema CLASSIFICATION = ExpertTestKit.schema(3, 3);
    /** Three features, regression. */
    public static final DataSchema REGRESSION = ExpertTestKit.schema(3, 0);

    private MemoryTestKit() {
    }

    /**
     * A codec whose code of a row is its first {@code size} features; decoding puts them back, times
     * {@link #scale}, and zeros the other features. It counts the rows it encoded and decoded.
     */
    public static final class TruncatingCodec implements RowCodec {
        private final int size;
        private final int features;
        /** What decoding multiplies the codes by: a test may change it to play a codec that learned more. */
        public double scale = 1;
        public int encoded;
        public int decoded;

        public TruncatingCodec(int size, int features) {
            if (size < 1 || size > features) {
                throw new IllegalArgumentException("code size " + size + " of " + features + " features");
            }
            this.size = size;
            this.features = features;
        }

        @Override
        public int codeSize() {
            return size;
        }

        @Override
        public double[] encode(Batch batch) {
            double[] codes = new double[batch.rows() * size];
            for (int r = 0; r < batch.rows(); r++) {
                for (int j = 0; j < size; j++) {
                    codes[r * size + j] = batch.value(r, j);
                }
            }
            encoded += batch.rows();
            return codes;
        }

        @Override
        public double[] decode(double[] codes, int rows) {
            double[] x = new double[rows * features];
            for (int r = 0; r < rows; r++) {
                for (int j = 0; j < size; j++) {
                    x[r * features + j] = codes[r * size + j] * scale;
                }
            }
            decoded += rows;
            return x;
        }
    }

    /**
     * {@code rows} rows of Gaussian features shifted by the class; classes skewed towards the first (so that
     * class-balanced policies have something to balance), or Gaussian targets; labelled unless
     * {@code labelled} is false; one batch in four carries row weights, some zero.
     */
    public static Batch batch(DataSchema schema, Random random, long firstRow, int rows, boolean labelled) {
        int d = schema.numFeatures();
        int k = schema.numClasses();
        double[] x = new double[rows * d];
        int[] y = new int[rows];
        double[] t = new double[rows];
        for (int r = 0; r < rows; r++) {
            y[r] = k == 0 ? 0 : Math.min(k - 1, (int) Math.floor(-Math.log(1 - random.nextDouble()) * 1.2));
            for (int j = 0; j < d; j++) {
                x[r * d + j] = random.nextGaussian() + y[r];
            }
            t[r] = random.nextGaussian();
        }
        Batch batch = schema.task() == Task.CLASSIFICATION
                ? Batch.ofClasses(schema, "dom", firstRow, x, labelled ? y : null)
                : Batch.ofTargets(schema, "dom", firstRow, x, labelled ? t : null);
        if (rows > 0 && random.nextInt(4) == 0) {
            double[] w = new double[rows];
            for (int r = 0; r < rows; r++) {
                w[r] = random.nextInt(3) * 0.5;
            }
            batch = batch.withWeights(w);
        }
        return batch;
    }

    /** Every row of a batch, exactly: features, label or target, weight. */
    public static String fingerprint(Batch b) {
        StringBuilder s = new StringBuilder().append(b.rows()).append(" rows of ").append(b.domain()).append(" from ")
                .append(b.firstRow());
        for (int r = 0; r < b.rows(); r++) {
            s.append('\n');
            for (int j = 0; j < b.numFeatures(); j++) {
                s.append(b.value(r, j)).append(' ');
            }
            if (b.hasLabels()) {
                s.append(b.schema().task() == Task.CLASSIFICATION ? String.valueOf(b.label(r)) : String.valueOf(b.target(r)));
            }
            s.append(" w ").append(b.weight(r));
        }
        return s.toString();
    }

    /** Tier sizes and bytes. */
    public static String fingerprint(MemoryStats stats) {
        return stats.tierSizes() + " " + stats.bytes() + " bytes";
    }

    /**
     * The replay contract: a sample of at most {@code asked} rows, at least one, of {@code schema} (the very
     * object), labelled, with finite features, and no more than the memory holds.
     */
    public static void assertValidReplay(Batch replay, DataSchema schema, int asked, MemoryStats stats) {
        assertTrue(replay.rows() >= 1 && replay.rows() <= asked, replay.rows() + " rows replayed, " + asked + " asked");
        assertTrue(replay.rows() <= stats.totalEntries(), replay.rows() + " rows replayed of " + stats);
        assertSame(schema, replay.schema(), "the stream's schema");
        assertTrue(replay.hasLabels(), "replayed rows are labelled");
        for (int r = 0; r < replay.rows(); r++) {
            for (int j = 0; j < replay.numFeatures(); j++) {
                assertTrue(Double.isFinite(replay.value(r, j)), "feature " + j + " of replayed row " + r);
            }
        }
    }

    /**
     * The driver over batches of {@code schema}, as the runtime calls a memory after each batch: the
     * signals (a drift one step in seven, the mixture's loss on most steps, now and then a high one), a
     * batch of 1 to 30 rows observed (one step in six unlabelled), then a replay of 1 to
     * 50 rows, checked by {@link #assertValidReplay}; a replay changes nothing stored ({@link Memory#stats}
     * before and after). A step's fingerprint: the stats after observing, the replay (every value), the
     * stats after it.
     */
    public static PluginTestKit.Driver<Memory> driver(DataSchema schema) {
        return (memory, random, from, steps) -> {
            List<String> out = new ArrayList<>();
            for (int t = from; t < from + steps; t++) {
                SignalBoard signals = new InMemorySignalBoard();
                signals.publish(StandardSignals.DRIFT_DETECTED, random.nextInt(7) == 0 ? 1 : 0);
                if (random.nextInt(5) > 0) {
                    signals.publish(StandardSignals.MIXTURE_LOSS, random.nextInt(4) == 0 ? 1.0 : 0.3 * random.nextDouble());
                }
                memory.observe(batch(schema, random, 100L * t, 1 + random.nextInt(30), t % 6 != 5), signals);
                MemoryStats stored = memory.stats();
                int asked = 1 + random.nextInt(50);
                Optional<Batch> replay = memory.replay(asked);
                replay.ifPresent(b -> assertValidReplay(b, schema, asked, stored));
                assertEquals(stored, memory.stats(), "a replay changes nothing stored");
                out.add(fingerprint(stored) + "\nreplay " + replay.map(MemoryTestKit::fingerprint).orElse("none"));
            }
            return out;
        };
    }

    /**
     * The contract of a fresh memory: it holds nothing ({@link MemoryStats#totalEntries()} 0) and replays
     * nothing.
     */
    public static void assertEmpty(Memory memory) {
        assertEquals(0, memory.stats().totalEntries(), "a fresh memory holds nothing: " + memory.stats());
        assertTrue(memory.replay(5).isEmpty(), "a fresh memory replays nothing");
    }

    /**
     * The checkpoint contract of memories made by {@code maker} (a codec offered inside it, if any) over
     * {@code schema}: a fresh one is empty (and so is one restored from a fresh one's checkpoint),
     * determinism per seed, the round trip ({@link PluginTestKit#assertRoundTrip}) after 30 steps
     * continuing bit for bit for 30 more, a truncated checkpoint refused without effect, and a checkpoint
     * of an unknown format version refused naming {@code component}.
     */
    public static void assertCheckpointContract(Supplier<Memory> maker, DataSchema schema, String component) throws IOException {
        assertEmpty(maker.get());
        Memory restored = maker.get();
        PluginTestKit.restore(restored, PluginTestKit.save(maker.get()));
        assertEmpty(restored);
        PluginTestKit.Driver<Memory> driver = driver(schema);
        PluginTestKit.assertDeterministic(maker, driver, 7, 20);
        PluginTestKit.assertRoundTrip(maker, driver, 31, 30, 30);
        PluginTestKit.assertCorruptRefusedAndChangesNothing(maker, driver, 5, 10);
        PluginTestKit.assertUnknownVersionRefused(maker, component);
    }

    /**
     * Everything: the factory registration ({@link PluginTestKit#assertRegistered}), the bad options refused
     * naming their path, and {@link #assertCheckpointContract} with {@code options}, for a classification
     * and a regression stream.
     */
    public static void assertContract(Class<? extends MemoryFactory> type, String name, Map<String, ?> options,
            List<PluginTestKit.BadOption> bad, String component) throws IOException {
        MemoryFactory factory = PluginTestKit.assertRegistered(MemoryFactory.class, type, name);
        PluginTestKit.assertBadOptionsRefused(factory, PluginTestKit.context(1, CLASSIFICATION, name), bad);
        for (DataSchema schema : List.of(CLASSIFICATION, REGRESSION)) {
            PluginContext context = PluginTestKit.context(11, schema, name);
            assertCheckpointContract(PluginTestKit.maker(factory, options, context), schema, component);
        }
    }
}
