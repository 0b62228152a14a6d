package io.scarcity.api;

import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InvalidObjectException;
import java.io.ObjectInputFilter;
import java.io.ObjectInputStream;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.TreeMap;

/**
 * Reads what a {@link StateWriter} wrote, in the same order. Lengths are checked against a limit so that
 * a corrupt checkpoint fails with an {@link IOException} instead of exhausting memory. Not thread-safe.
 */
public final class StateReader {
    /** No array, string or map in a checkpoint is longer than this. */
    public static final int MAX_LENGTH = 1 << 28;

    private final DataInputStream in;

    public StateReader(InputStream in) {
        this.in = new DataInputStream(Objects.requireNonNull(in, "in is null"));
    }

    /**
     * Reads the format version written by {@link StateWriter#writeVersion} and refuses a checkpoint in any
     * other format: the state of another version of the component cannot be read as this one.
     *
     * @param component what is being restored, e.g. {@code "ucb router"}, for the message
     * @param supported the versions this code reads, at least one
     * @return the version read, one of {@code supported}
     * @throws IOException naming the component, the version found and the supported ones
     */
    public int readVersion(String component, int... supported) throws IOException {
        if (supported.length == 0) {
            throw new IllegalArgumentException("no supported version");
        }
        int version = in.readInt();
        StringBuilder reads = new StringBuilder();
        for (int i = 0; i < supported.length; i++) {
            if (supported[i] == version) {
                return version;
            }
            reads.append(i == 0 ? "" : i == supported.length - 1 ? " and " : ", ").append(supported[i]);
        }
        throw new IOException(component + " checkpoint: unknown format version " + version + " (this version reads "
                + reads + "); it was written by another version of the plugin: start the run afresh");
    }

    public boolean readBoolean() throws IOException {
        return in.readBoolean();
    }

    public int readInt() throws IOException {
        return in.readInt();
    }

    public long readLong() throws IOException {
        return in.readLong();
    }

    public double readDouble() throws IOException {
        return Double.longBitsToDouble(in.readLong());
    }

    public String readString() throws IOException {
        if (!in.readBoolean()) {
            return null;
        }
        byte[] b = new byte[length(in.readInt(), false)];
        in.readFully(b);
        return new String(b, java.nio.charset.StandardCharsets.UTF_8);
    }

    public byte[] readBytes() throws IOException {
        int n = length(in.readInt(), true);
        if (n < 0) {
            return null;
        }
        byte[] v = new byte[n];
        in.readFully(v);
        return v;
    }

    public double[] readDoubles() throws IOException {
        int n = length(in.readInt(), true);
        if (n < 0) {
            return null;
        }
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = readDouble();
        }
        return v;
    }

    /**
     * An array that must have {@code expected} elements (e.g. the size of a weight array fixed by the
     * options); throws naming {@code what} otherwise.
     */
    public double[] readDoubles(int expected, String what) throws IOException {
        double[] v = readDoubles();
        if (v == null || v.length != expected) {
            throw new IOException(what + ": expected " + expected + " values, found "
                    + (v == null ? "none" : String.valueOf(v.length)) + " (the checkpoint was written with other options or data)");
        }
        return v;
    }

    public long[] readLongs() throws IOException {
        int n = length(in.readInt(), true);
        if (n < 0) {
            return null;
        }
        long[] v = new long[n];
        for (int i = 0; i < n; i++) {
            v[i] = in.readLong();
        }
        return v;
    }

    public int[] readInts() throws IOException {
        int n = length(in.readInt(), true);
        if (n < 0) {
            return null;
        }
        int[] v = new int[n];
        for (int i = 0; i < n; i++) {
            v[i] = in.readInt();
        }
        return v;
    }

    /** A map written by {@link StateWriter#writeDoubleMap}, in the written order. */
    public Map<String, Double> readDoubleMap() throws IOException {
        int n = length(in.readInt(), false);
        Map<String, Double> v = new LinkedHashMap<>();
        for (int i = 0; i < n; i++) {
            v.put(readString(), readDouble());
        }
        return v;
    }

    public ExpertState readExpertState() throws IOException {
        String expert = readString();
        long samples = in.readLong();
        int n = length(in.readInt(), false);
        Map<String, double[]> weights = new TreeMap<>();
        for (int i = 0; i < n; i++) {
            weights.put(readString(), readDoubles());
        }
        try {
            return new ExpertState(expert, weights, samples);
        } catch (RuntimeException e) {
            throw new IOException("invalid expert state in checkpoint: " + e.getMessage(), e);
        }
    }

    /** What {@link StateWriter#writeMoments} wrote. */
    public FeatureMoments readMoments() throws IOException {
        long count = in.readLong();
        double[] mean = readDoubles();
        if (mean == null) {
            throw new IOException("corrupt checkpoint: feature moments without means");
        }
        double[] m2 = readDoubles(mean.length, "feature moments' m2");
        if (count < 0) {
            throw new IOException("corrupt checkpoint: negative moment count " + count);
        }
        return new FeatureMoments(count, mean, m2);
    }

    /** What {@link StateWriter#writeMetaParameters} wrote. */
    public MetaParameters readMetaParameters() throws IOException {
        String domain = required(readString(), "parameters' domain");
        int round = in.readInt();
        Map<String, Double> rates = readDoubleMap();
        Map<String, Double> priors = readDoubleMap();
        FeatureMoments moments = readMoments();
        Map<String, Double> values = readDoubleMap();
        return new MetaParameters(domain, round, rates, priors, moments, values);
    }

    /** What {@link StateWriter#writeInsight} wrote. */
    public Insight readInsight() throws IOException {
        String client = required(readString(), "client id");
        String domain = required(readString(), "insight domain");
        int round = in.readInt();
        long samples = in.readLong();
        double accuracy = in.readDouble();
        double loss = in.readDouble();
        int n = in.readInt();
        if (n < 0) {
            throw new IOException("corrupt checkpoint: negative number of expert reports: " + n);
        }
        Map<String, ExpertReport> experts = new LinkedHashMap<>();
        for (int i = 0; i < n; i++) {
            String expert = required(readString(), "expert name");
            String plugin = required(readString(), "plugin name");
            double rLoss = in.readDouble();
            long rSamples = in.readLong();
            long activations = in.readLong();
            double rate = in.readDouble();
            Map<String, Double> signals = readDoubleMap();
            experts.put(expert, new ExpertReport(expert, plugin, rLoss, rSamples, activations, rate, signals));
        }
        Map<String, Double> signals = readDoubleMap();
        FeatureMoments moments = readMoments();
        return new Insight(client, domain, round, samples, accuracy, loss, experts, signals, moments);
    }

    private static String required(String s, String what) throws IOException {
        if (s == null) {
            throw new IOException("corrupt checkpoint: missing " + what);
        }
        return s;
    }

    /**
     * A new generator at the position written by {@link StateWriter#writeRandom}: it continues the saved
     * sequence exactly. Keep random generators in non-final fields and replace them with this.
     */
    public Random readRandom() throws IOException {
        byte[] b = new byte[length(in.readInt(), false)];
        in.readFully(b);
        try (ObjectInputStream o = new ObjectInputStream(new ByteArrayInputStream(b))) {
            // only java.util.Random (and what it is made of) may be deserialised here
            o.setObjectInputFilter(info -> info.serialClass() == null || info.serialClass() == Random.class
                    || info.serialClass() == java.util.concurrent.atomic.AtomicLong.class
                    || info.serialClass() == Number.class
                    ? ObjectInputFilter.Status.ALLOWED : ObjectInputFilter.Status.REJECTED);
            Object r = o.readObject();
            if (!(r instanceof Random random) || r.getClass() != Random.class) {
                throw new InvalidObjectException("not a java.util.Random");
            }
            return random;
        } catch (ClassNotFoundException e) {
            throw new IOException("invalid random generator in checkpoint: " + e.getMessage(), e);
        }
    }

    private static int length(int n, boolean nullable) throws IOException {
        if ((n < 0 && !(nullable && n == -1)) || n > MAX_LENGTH) {
            throw new IOException("corrupt checkpoint: length " + n);
        }
        return n;
    }
}
