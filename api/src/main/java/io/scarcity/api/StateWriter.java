package io.scarcity.api;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.ObjectOutputStream;
import java.io.OutputStream;
import java.util.Map;
import java.util.Objects;
import java.util.Random;

/**
 * Writes a {@link Checkpointable}'s state: primitives, strings, arrays, maps, expert states and random
 * generators, read back in the same order by {@link StateReader}. Arrays and strings may be
 * {@code null}. Not thread-safe.
 */
public final class StateWriter {
    private final DataOutputStream out;

    public StateWriter(OutputStream out) {
        this.out = new DataOutputStream(Objects.requireNonNull(out, "out is null"));
    }

    /**
     * The format version of the state that follows, first thing in a {@link Checkpointable#saveState}; read
     * back and checked by {@link StateReader#readVersion}. Raise it whenever the layout of the state changes.
     */
    public void writeVersion(int version) throws IOException {
        out.writeInt(version);
    }

    public void writeBoolean(boolean v) throws IOException {
        out.writeBoolean(v);
    }

    public void writeInt(int v) throws IOException {
        out.writeInt(v);
    }

    public void writeLong(long v) throws IOException {
        out.writeLong(v);
    }

    /** Exactly, NaN and infinities included. */
    public void writeDouble(double v) throws IOException {
        out.writeLong(Double.doubleToRawLongBits(v));
    }

    public void writeString(String v) throws IOException {
        out.writeBoolean(v != null);
        if (v != null) {
            byte[] b = v.getBytes(java.nio.charset.StandardCharsets.UTF_8);
            out.writeInt(b.length);
            out.write(b);
        }
    }

    /** Raw bytes (e.g. a nested component's own encoding); may be {@code null}. */
    public void writeBytes(byte[] v) throws IOException {
        out.writeInt(v == null ? -1 : v.length);
        if (v != null) {
            out.write(v);
        }
    }

    public void writeDoubles(double[] v) throws IOException {
        out.writeInt(v == null ? -1 : v.length);
        if (v != null) {
            for (double d : v) {
                writeDouble(d);
            }
        }
    }

    public void writeLongs(long[] v) throws IOException {
        out.writeInt(v == null ? -1 : v.length);
        if (v != null) {
            for (long l : v) {
                out.writeLong(l);
            }
        }
    }

    public void writeInts(int[] v) throws IOException {
        out.writeInt(v == null ? -1 : v.length);
        if (v != null) {
            for (int i : v) {
                out.writeInt(i);
            }
        }
    }

    /** A map of names to numbers, in the map's iteration order. */
    public void writeDoubleMap(Map<String, Double> v) throws IOException {
        Objects.requireNonNull(v, "v is null");
        out.writeInt(v.size());
        for (Map.Entry<String, Double> e : v.entrySet()) {
            writeString(e.getKey());
            writeDouble(e.getValue());
        }
    }

    /** An expert state (name, samples and every named array). */
    public void writeExpertState(ExpertState v) throws IOException {
        Objects.requireNonNull(v, "v is null");
        writeString(v.expert());
        out.writeLong(v.samples());
        out.writeInt(v.weights().size());
        for (Map.Entry<String, double[]> e : v.weights().entrySet()) {
            writeString(e.getKey());
            writeDoubles(e.getValue());
        }
    }

    /** Feature moments (count, means, M2), as a checkpoint or the wire keeps them. */
    public void writeMoments(FeatureMoments v) throws IOException {
        Objects.requireNonNull(v, "v is null");
        out.writeLong(v.count());
        writeDoubles(v.mean());
        writeDoubles(v.m2());
    }

    /** Meta-parameters for a domain (domain, round, learning rates, router priors, normalisation, values). */
    public void writeMetaParameters(MetaParameters v) throws IOException {
        Objects.requireNonNull(v, "v is null");
        writeString(v.domain());
        out.writeInt(v.round());
        writeDoubleMap(v.learningRates());
        writeDoubleMap(v.routerPriors());
        writeMoments(v.normalisation());
        writeDoubleMap(v.values());
    }

    /** An insight with its expert reports (each under its expert's name), signals and moments. */
    public void writeInsight(Insight v) throws IOException {
        Objects.requireNonNull(v, "v is null");
        writeString(v.client());
        writeString(v.domain());
        out.writeInt(v.round());
        out.writeLong(v.samples());
        out.writeDouble(v.accuracy());
        out.writeDouble(v.loss());
        out.writeInt(v.experts().size());
        for (ExpertReport r : v.experts().values()) {
            writeString(r.expert());
            writeString(r.plugin());
            out.writeDouble(r.loss());
            out.writeLong(r.samples());
            out.writeLong(r.activations());
            out.writeDouble(r.learningRate());
            writeDoubleMap(r.signals());
        }
        writeDoubleMap(v.signals());
        writeMoments(v.moments());
    }

    /**
     * The exact position of a {@link Random} (its seed and cached Gaussian), so that the generator
     * {@link StateReader#readRandom} returns continues the same sequence. Only {@code java.util.Random}
     * itself, not subclasses.
     */
    public void writeRandom(Random random) throws IOException {
        Objects.requireNonNull(random, "random is null");
        if (random.getClass() != Random.class) {
            throw new IllegalArgumentException("only java.util.Random can be saved, not " + random.getClass().getName());
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream o = new ObjectOutputStream(bytes)) {
            o.writeObject(random);
        }
        byte[] b = bytes.toByteArray();
        out.writeInt(b.length);
        out.write(b);
    }

    /** Flushes to the underlying stream. */
    public void flush() throws IOException {
        out.flush();
    }
}
