package io.scarcity.bench;

import io.scarcity.api.Batch;
import io.scarcity.api.BatchOutcome;
import io.scarcity.api.DataSchema;
import io.scarcity.api.Expert;
import io.scarcity.api.InMemorySignalBoard;
import io.scarcity.api.PluginConfig;
import io.scarcity.api.PluginContext;
import io.scarcity.api.SignalBoard;
import io.scarcity.api.StandardSignals;
import io.scarcity.api.Task;
import io.scarcity.plugins.drift.DriftExpertFactory;
import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.function.Supplier;
import java.util.zip.GZIPInputStream;
import moa.classifiers.core.driftdetection.ADWINChangeDetector;
import moa.classifiers.core.driftdetection.ChangeDetector;
import moa.classifiers.core.driftdetection.DDM;
import moa.classifiers.core.driftdetection.PageHinkleyDM;

/**
 * Change detectors on loss streams with known change points: the drift expert's {@code page-hinkley},
 * {@code adwin} and {@code ddm} (through the expert, one row per batch, so that positions are exact)
 * against MOA's {@code PageHinkleyDM}, {@code ADWINChangeDetector} and {@code DDM}, each with its defaults
 * (which are the same numbers: Page-Hinkley delta 0.005, lambda 50, alpha 0.9999, 30 rows; ADWIN delta
 * 0.002; DDM 30 rows, 2 and 3 sigma), fed the identical sequence of losses.
 *
 * <p>Streams:
 * <ul>
 *   <li>{@code abrupt 0.1->0.4}, {@code abrupt 0.2->0.3}: 0/1 losses, Bernoulli(p) for 100,000 rows, then the
 *       second rate for 20,000 rows; 10 seeds.</li>
 *   <li>{@code gradual 0.1->0.4}: the rate rises linearly over rows 100,000 to 110,000, then stays until
 *       130,000; the change point is the start of the rise; 10 seeds.</li>
 *   <li>{@code mnist/fashion}: a real series. The 0/1 loss of an online nearest-centroid classifier (7x7
 *       mean-pooled pixels, centroid step max(1/n, 0.01)) on 5 segments of 20,000 images alternating MNIST
 *       and Fashion-MNIST training images (same 10 label indices, different meaning): MNIST, Fashion,
 *       MNIST, Fashion, MNIST, so the known changes are at rows 20k, 40k, 60k and 80k; 3 seeds (each a
 *       permutation of each data set's rows). After each switch the error jumps, then falls as the
 *       centroids move.</li>
 * </ul>
 * Scoring: the first detection in {@code [change, change + window)} is the detection (delay = its row -
 * the change row); further detections in that window are duplicates; detections outside every window
 * are false alarms, reported per 100,000 rows outside the windows. The window is the rest of the stream
 * (20,000 or 30,000 rows) for the synthetic streams and 5,000 rows for the real one.
 *
 * <p>Run: {@code java -cp benchmarks/target/benchmarks.jar io.scarcity.bench.ChangeDetectorBench [dataDir]},
 * {@code dataDir} defaulting to {@code .cache/datasets}; the real series is skipped with a message when
 * MNIST or Fashion-MNIST is absent.
 */
public final class ChangeDetectorBench {
    private static final DataSchema ONE = new DataSchema(List.of("x"), Task.CLASSIFICATION, List.of("a", "b"));

    private ChangeDetectorBench() {
    }

    /** A loss stream with its change points and acceptance window. */
    record Stream(String name, double[] losses, int[] changes, int window) {
    }

    /** One detector: a name and a fresh instance per stream. */
    record Detector(String name, Supplier<RowDetector> make) {
    }

    interface RowDetector {
        boolean add(double loss);
    }

    /** The drift expert through its public factory, one row per batch. */
    static RowDetector ours(String detector) {
        Expert expert = new DriftExpertFactory().create(PluginConfig.of("drift", Map.of("detector", detector)),
                PluginContext.standalone(1, ONE, "drift"));
        SignalBoard signals = new InMemorySignalBoard();
        Batch row = Batch.ofClasses(ONE, "d", 0, new double[1], new int[1]);
        double[] loss = new double[1];
        return x -> {
            loss[0] = x;
            expert.learn(row, new BatchOutcome(null, loss, 1), signals);
            return signals.get(StandardSignals.DRIFT_DETECTED, 0) == 1.0;
        };
    }

    static RowDetector moa(ChangeDetector detector) {
        detector.prepareForUse();
        return x -> {
            detector.input(x);
            return detector.getChange();
        };
    }

    static List<Detector> detectors() {
        return List.of(
                new Detector("page-hinkley", () -> ours("page-hinkley")),
                new Detector("MOA PageHinkleyDM", () -> moa(new PageHinkleyDM())),
                new Detector("adwin", () -> ours("adwin")),
                new Detector("MOA ADWINChangeDetector", () -> moa(new ADWINChangeDetector())),
                new Detector("ddm", () -> ours("ddm")),
                new Detector("MOA DDM", () -> moa(new DDM())));
    }

    /** Totals of one detector over the streams of one kind. */
    static final class Score {
        long delaySum;
        int detected;
        int missed;
        int duplicates;
        int falseAlarms;
        long quietRows;

        void add(Stream s, RowDetector d) {
            double[] x = s.losses();
            int[] first = new int[s.changes().length];
            java.util.Arrays.fill(first, -1);
            for (int row = 0; row < x.length; row++) {
                if (!d.add(x[row])) {
                    continue;
                }
                int c = windowOf(s, row);
                if (c < 0) {
                    falseAlarms++;
                } else if (first[c] < 0) {
                    first[c] = row;
                } else {
                    duplicates++;
                }
            }
            long inWindows = 0;
            for (int c = 0; c < first.length; c++) {
                inWindows += Math.min(s.window(), x.length - s.changes()[c]);
                if (first[c] < 0) {
                    missed++;
                } else {
                    detected++;
                    delaySum += first[c] - s.changes()[c];
                }
            }
            quietRows += x.length - inWindows;
        }

        private static int windowOf(Stream s, int row) {
            for (int c = 0; c < s.changes().length; c++) {
                if (row >= s.changes()[c] && row < s.changes()[c] + s.window()) {
                    return c;
                }
            }
            return -1;
        }
    }

    static Stream bernoulli(String name, long seed, double before, double after, int rise) {
        int change = 100_000;
        int rows = change + rise + 20_000;
        double[] x = new double[rows];
        Random random = new Random(seed);
        for (int i = 0; i < rows; i++) {
            double p = i < change ? before : i >= change + rise ? after
                    : before + (after - before) * (i - change + 1) / (double) rise;
            x[i] = random.nextDouble() < p ? 1 : 0;
        }
        return new Stream(name, x, new int[] {change}, rows - change);
    }

    public static void main(String[] args) throws IOException {
        Path data = Path.of(args.length > 0 ? args[0] : ".cache/datasets");
        List<List<Stream>> kinds = new ArrayList<>();
        for (String kind : List.of("abrupt 0.1->0.4", "abrupt 0.2->0.3", "gradual 0.1->0.4 over 10k")) {
            List<Stream> streams = new ArrayList<>();
            for (long seed = 1; seed <= 10; seed++) {
                streams.add(switch (kind) {
                    case "abrupt 0.1->0.4" -> bernoulli(kind, seed, 0.1, 0.4, 0);
                    case "abrupt 0.2->0.3" -> bernoulli(kind, 100 + seed, 0.2, 0.3, 0);
                    default -> bernoulli(kind, 200 + seed, 0.1, 0.4, 10_000);
                });
            }
            kinds.add(streams);
        }
        List<Stream> real = RealSeries.streams(data);
        if (real.isEmpty()) {
            System.out.println("(real series skipped: MNIST or Fashion-MNIST not found under " + data.toAbsolutePath() + ")");
        } else {
            kinds.add(real);
        }
        System.out.println("| stream | rows x streams | changes | detector | mean delay (rows) | missed | false alarms / 100k rows | duplicates / change |");
        System.out.println("|---|---|---|---|---|---|---|---|");
        for (List<Stream> streams : kinds) {
            int changes = streams.stream().mapToInt(s -> s.changes().length).sum();
            for (Detector detector : detectors()) {
                Score score = new Score();
                for (Stream s : streams) {
                    score.add(s, detector.make().get());
                }
                System.out.printf(Locale.ROOT, "| %s | %,d x %d | %d | %s | %s | %d | %.2f | %.2f |%n", streams.get(0).name(),
                        streams.get(0).losses().length, streams.size(), changes, detector.name(),
                        score.detected == 0 ? "-" : String.format(Locale.ROOT, "%.0f", score.delaySum / (double) score.detected),
                        score.missed, 100_000.0 * score.falseAlarms / score.quietRows, score.duplicates / (double) changes);
            }
        }
    }

    /** The MNIST / Fashion-MNIST series: the loss of an online nearest-centroid classifier. */
    static final class RealSeries {
        static final int SEGMENT = 20_000;
        static final int SEGMENTS = 5;
        static final int WINDOW = 5_000;

        static List<Stream> streams(Path data) throws IOException {
            Path mnist = find(data.resolve("mnist"), "train-images-idx3-ubyte");
            Path mnistLabels = find(data.resolve("mnist"), "train-labels-idx1-ubyte");
            Path fashion = find(data.resolve("fashion-mnist"), "train-images-idx3-ubyte");
            Path fashionLabels = find(data.resolve("fashion-mnist"), "train-labels-idx1-ubyte");
            if (mnist == null || mnistLabels == null || fashion == null || fashionLabels == null) {
                return List.of();
            }
            float[][] mx = pooled(mnist);
            int[] my = labels(mnistLabels);
            float[][] fx = pooled(fashion);
            int[] fy = labels(fashionLabels);
            List<Stream> out = new ArrayList<>();
            for (long seed = 1; seed <= 3; seed++) {
                int[] mOrder = permutation(mx.length, new Random(seed));
                int[] fOrder = permutation(fx.length, new Random(seed + 1000));
                NearestCentroid classifier = new NearestCentroid(mx[0].length, 10);
                double[] losses = new double[SEGMENT * SEGMENTS];
                int[] changes = new int[SEGMENTS - 1];
                int row = 0;
                for (int s = 0; s < SEGMENTS; s++) {
                    boolean isMnist = s % 2 == 0;
                    int offset = (s / 2) * SEGMENT;
                    if (s > 0) {
                        changes[s - 1] = row;
                    }
                    for (int i = 0; i < SEGMENT; i++) {
                        int k = isMnist ? mOrder[offset + i] : fOrder[offset + i];
                        float[] x = isMnist ? mx[k] : fx[k];
                        int y = isMnist ? my[k] : fy[k];
                        losses[row++] = classifier.predict(x) == y ? 0 : 1;
                        classifier.learn(x, y);
                    }
                }
                out.add(new Stream("mnist/fashion (real)", losses, changes, WINDOW));
            }
            return out;
        }

        private static Path find(Path dir, String name) {
            for (Path p : List.of(dir.resolve(name), dir.resolve(name + ".gz"))) {
                if (Files.isRegularFile(p)) {
                    return p;
                }
            }
            return null;
        }

        private static InputStream open(Path p) throws IOException {
            InputStream in = new BufferedInputStream(Files.newInputStream(p), 1 << 16);
            return p.toString().endsWith(".gz") ? new GZIPInputStream(in, 1 << 16) : in;
        }

        /** 28x28 images mean-pooled to 7x7, in [0, 1]. */
        static float[][] pooled(Path p) throws IOException {
            try (DataInputStream in = new DataInputStream(open(p))) {
                if (in.readInt() != 0x803) {
                    throw new IOException(p + ": not an IDX image file");
                }
                int n = in.readInt();
                int h = in.readInt();
                int w = in.readInt();
                byte[] image = new byte[h * w];
                float[][] out = new float[n][(h / 4) * (w / 4)];
                for (int i = 0; i < n; i++) {
                    in.readFully(image);
                    for (int r = 0; r < h / 4 * 4; r++) {
                        for (int c = 0; c < w / 4 * 4; c++) {
                            out[i][(r / 4) * (w / 4) + c / 4] += (image[r * w + c] & 0xff) / (255f * 16);
                        }
                    }
                }
                return out;
            }
        }

        static int[] labels(Path p) throws IOException {
            try (DataInputStream in = new DataInputStream(open(p))) {
                if (in.readInt() != 0x801) {
                    throw new IOException(p + ": not an IDX label file");
                }
                int[] y = new int[in.readInt()];
                for (int i = 0; i < y.length; i++) {
                    y[i] = in.readUnsignedByte();
                }
                return y;
            }
        }

        static int[] permutation(int n, Random random) {
            int[] p = new int[n];
            for (int i = 0; i < n; i++) {
                p[i] = i;
            }
            for (int i = n - 1; i > 0; i--) {
                int j = random.nextInt(i + 1);
                int t = p[i];
                p[i] = p[j];
                p[j] = t;
            }
            return p;
        }
    }

    /** Nearest class centroid with a step of max(1/n, 0.01), so that it keeps adapting. */
    static final class NearestCentroid {
        private final double[][] centroids;
        private final long[] counts;

        NearestCentroid(int features, int classes) {
            centroids = new double[classes][features];
            counts = new long[classes];
        }

        int predict(float[] x) {
            int best = 0;
            double bestDistance = Double.POSITIVE_INFINITY;
            for (int k = 0; k < centroids.length; k++) {
                if (counts[k] == 0) {
                    continue;
                }
                double d = 0;
                for (int j = 0; j < x.length; j++) {
                    double e = x[j] - centroids[k][j];
                    d += e * e;
                }
                if (d < bestDistance) {
                    bestDistance = d;
                    best = k;
                }
            }
            return best;
        }

        void learn(float[] x, int y) {
            counts[y]++;
            double step = Math.max(1.0 / counts[y], 0.01);
            for (int j = 0; j < x.length; j++) {
                centroids[y][j] += step * (x[j] - centroids[y][j]);
            }
        }
    }
}
