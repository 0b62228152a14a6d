package io.scarcity.plugins.hierarchical;

import static io.scarcity.plugins.hierarchical.CheckpointChecks.check;
import static io.scarcity.plugins.hierarchical.CheckpointChecks.readLongs;

import io.scarcity.api.Batch;
import io.scarcity.api.RowCodec;
import io.scarcity.api.StateReader;
import io.scarcity.api.StateWriter;
import java.io.IOException;
import java.util.Arrays;

/**
 * The semantic tier: one running-mean prototype per class, or, once a codec is offered with
 * {@code semantic: codes}, the codes of the last rows of each class (of the stream for regression).
 * Both evict the entry updated longest ago, on one clock.
 */
final class SemanticTier implements ReplaySampler.Tier {
    private static final String COMPONENT = "hierarchical memory";

    private final Options options;
    private final int features;
    private final int classes;
    private final boolean classification;

    private final double[] prototypes;
    private final long[] prototypeCounts;
    /** When each prototype was last updated, on {@link #clock}. */
    private final long[] prototypeStamps;
    private int prototypeClasses;
    private long clock;

    /** The codec whose codes the tier holds; {@code null} while it keeps prototypes. */
    private RowCodec codec;
    private String codecExpert;
    private int codeSize;
    private double[] codes;
    private int[] codeClasses;
    private double[] codeTargets;
    private long[] codeStamps;
    private int codeCount;
    private int[] codesPerGroup;

    SemanticTier(Options options, int features, int classes, boolean classification) {
        this.options = options;
        this.features = features;
        this.classes = classes;
        this.classification = classification;
        this.prototypes = new double[classes * features];
        this.prototypeCounts = new long[classes];
        this.prototypeStamps = new long[classes];
    }

    /**
     * With {@code semantic: codes}, the first codec offered becomes the tier's: from then on it holds
     * codes instead of prototypes (any prototype is dropped). Later codecs are ignored.
     */
    void useCodec(String expert, RowCodec codec) {
        if (options.semantic() != Options.Semantic.CODES || options.semanticSize() == 0 || this.codec != null) {
            return;
        }
        int size = codec.codeSize();
        if (size < 1) {
            throw new IllegalArgumentException("codec of " + expert + " has code size " + size + ", expected >= 1");
        }
        if ((long) size * options.semanticSize() > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("semanticSize " + options.semanticSize() + " codes of " + size
                    + " values from " + expert + " do not fit in memory");
        }
        this.codec = codec;
        this.codecExpert = expert;
        this.codeSize = size;
        this.codes = new double[options.semanticSize() * size];
        this.codeClasses = new int[options.semanticSize()];
        this.codeTargets = classification ? null : new double[options.semanticSize()];
        this.codeStamps = new long[options.semanticSize()];
        this.codesPerGroup = new int[classification ? classes : 1];
        Arrays.fill(prototypes, 0);
        Arrays.fill(prototypeCounts, 0);
        Arrays.fill(prototypeStamps, 0);
        prototypeClasses = 0;
    }

    boolean holdsCodes() {
        return codec != null;
    }

    /**
     * The batch's codes, checked, for {@link #store}; {@code null} while the tier keeps prototypes.
     * Encoded in one call per batch because a codec is cheaper on a batch than row by row.
     */
    double[] encode(Batch batch) {
        if (codec == null) {
            return null;
        }
        double[] batchCodes = codec.encode(batch);
        if (batchCodes == null || batchCodes.length != batch.rows() * codeSize) {
            throw new IllegalStateException("codec of " + codecExpert + " encoded " + batch.rows() + " rows into "
                    + (batchCodes == null ? "nothing" : batchCodes.length + " values") + ", expected " + batch.rows() * codeSize);
        }
        return batchCodes;
    }

    /** Stores a labelled row: its code from {@link #encode}, or into its class's prototype. */
    void store(Batch batch, int row, double[] batchCodes) {
        if (batchCodes != null) {
            storeCode(batch, row, batchCodes);
        } else if (classification) {
            storePrototype(batch, row);
        }
    }

    private void storePrototype(Batch batch, int row) {
        if (options.semanticSize() == 0) {
            return;
        }
        int c = batch.label(row);
        if (prototypeCounts[c] == 0) {
            if (prototypeClasses >= options.semanticSize()) {
                evictLeastRecentPrototype();
            }
            prototypeClasses++;
        }
        long n = ++prototypeCounts[c];
        int o = c * features;
        for (int j = 0; j < features; j++) {
            prototypes[o + j] += (batch.value(row, j) - prototypes[o + j]) / n;
        }
        prototypeStamps[c] = ++clock;
    }

    private void evictLeastRecentPrototype() {
        int victim = -1;
        for (int c = 0; c < classes; c++) {
            if (prototypeCounts[c] > 0 && (victim < 0 || prototypeStamps[c] < prototypeStamps[victim])) {
                victim = c;
            }
        }
        prototypeCounts[victim] = 0;
        prototypeStamps[victim] = 0;
        Arrays.fill(prototypes, victim * features, (victim + 1) * features, 0.0);
        prototypeClasses--;
    }

    private void storeCode(Batch batch, int row, double[] batchCodes) {
        int group = classification ? batch.label(row) : 0;
        int slot;
        if (codesPerGroup[group] >= options.codesPerClass()) {
            slot = oldestCode(group);
        } else if (codeCount < options.semanticSize()) {
            slot = codeCount++;
            codesPerGroup[group]++;
        } else {
            slot = oldestCode(-1);
            codesPerGroup[codeClasses[slot]]--;
            codesPerGroup[group]++;
        }
        System.arraycopy(batchCodes, row * codeSize, codes, slot * codeSize, codeSize);
        codeClasses[slot] = group;
        if (!classification) {
            codeTargets[slot] = batch.target(row);
        }
        codeStamps[slot] = ++clock;
    }

    /** The slot of the oldest code of a group, or of all codes when {@code group} is -1. */
    private int oldestCode(int group) {
        int oldest = -1;
        for (int slot = 0; slot < codeCount; slot++) {
            if ((group < 0 || codeClasses[slot] == group) && (oldest < 0 || codeStamps[slot] < codeStamps[oldest])) {
                oldest = slot;
            }
        }
        return oldest;
    }

    /** Codes or prototypes held. */
    int entries() {
        return codec != null ? codeCount : prototypeClasses;
    }

    /**
     * The replayable slots: the classes with a prototype (a prototype's slot is its class) or the code
     * slots.
     */
    @Override
    public int fillSlots(int[] into) {
        int size = 0;
        if (codec == null) {
            for (int c = 0; c < classes; c++) {
                if (prototypeCounts[c] > 0) {
                    into[size++] = c;
                }
            }
        } else {
            size = codeCount;
            for (int i = 0; i < size; i++) {
                into[i] = i;
            }
        }
        return size;
    }

    @Override
    public int label(int slot) {
        return codec != null ? codeClasses[slot] : slot;
    }

    /**
     * Writes the replayed rows of this tier into the output batch's arrays: the rows where
     * {@code tierOf} is {@code tier}, decoded in one call in output order when the tier holds codes.
     */
    void copyTo(int tier, int count, int[] tierOf, int[] slotOf, double[] values, int[] labels, double[] targets) {
        if (count == 0) {
            return;
        }
        double[] decoded = codec != null ? decodeSampled(tier, tierOf, slotOf, count) : null;
        int nextDecoded = 0;
        for (int i = 0; i < tierOf.length; i++) {
            if (tierOf[i] != tier) {
                continue;
            }
            int slot = slotOf[i];
            if (decoded != null) {
                System.arraycopy(decoded, nextDecoded++ * features, values, i * features, features);
                if (classification) {
                    labels[i] = codeClasses[slot];
                } else {
                    targets[i] = codeTargets[slot];
                }
            } else {
                System.arraycopy(prototypes, slot * features, values, i * features, features);
                labels[i] = slot;
            }
        }
    }

    private double[] decodeSampled(int tier, int[] tierOf, int[] slotOf, int count) {
        double[] sampled = new double[count * codeSize];
        int k = 0;
        for (int i = 0; i < tierOf.length; i++) {
            if (tierOf[i] == tier) {
                System.arraycopy(codes, slotOf[i] * codeSize, sampled, k++ * codeSize, codeSize);
            }
        }
        double[] decoded = codec.decode(sampled, count);
        if (decoded == null || decoded.length != count * features) {
            throw new IllegalStateException("codec of " + codecExpert + " decoded " + count + " codes into "
                    + (decoded == null ? "nothing" : decoded.length + " values") + ", expected " + count * features);
        }
        for (double v : decoded) {
            if (!Double.isFinite(v)) {
                throw new IllegalStateException("codec of " + codecExpert + " decoded a non-finite value");
            }
        }
        return decoded;
    }

    /** Bytes of what is stored: 8 per feature plus count and stamp per prototype; 8 per value plus label and stamp per code. */
    long bytes() {
        long labelBytes = classification ? Integer.BYTES : Double.BYTES;
        return codec != null
                ? (long) codeCount * ((long) Double.BYTES * codeSize + labelBytes + Long.BYTES)
                : (long) prototypeClasses * ((long) Double.BYTES * features + 2L * Long.BYTES);
    }

    /** Writes the prototypes and the clock; the codes follow separately, after the loss mean (format 3's order). */
    void savePrototypes(StateWriter out) throws IOException {
        out.writeDoubles(prototypes);
        out.writeLongs(prototypeCounts);
        out.writeLongs(prototypeStamps);
        out.writeLong(clock);
    }

    void saveCodes(StateWriter out) throws IOException {
        out.writeBoolean(codec != null);
        if (codec != null) {
            out.writeInt(codeSize);
            out.writeInt(codeCount);
            out.writeDoubles(Arrays.copyOf(codes, codeCount * codeSize));
            out.writeInts(Arrays.copyOf(codeClasses, codeCount));
            out.writeDoubles(classification ? null : Arrays.copyOf(codeTargets, codeCount));
            out.writeLongs(Arrays.copyOf(codeStamps, codeCount));
        }
    }

    /** What {@link #savePrototypes} wrote, checked, not yet in the tier. */
    record SavedPrototypes(double[] prototypes, long[] counts, long[] stamps, long clock, int classes) {
    }

    /** What {@link #saveCodes} wrote, checked, not yet in the tier; {@code count} -1 when it held none. */
    record Saved(SavedPrototypes prototypes, int count, double[] codes, int[] classes, double[] targets, long[] stamps,
                 int[] perGroup) {
    }

    SavedPrototypes readPrototypes(StateReader in) throws IOException {
        double[] newPrototypes = in.readDoubles(prototypes.length, "semantic tier's prototypes");
        long[] newCounts = readLongs(in, prototypeCounts.length, "semantic tier's counts");
        long[] newStamps = readLongs(in, prototypeStamps.length, "semantic tier's stamps");
        long newClock = in.readLong();
        int newPrototypeClasses = 0;
        for (int c = 0; c < newCounts.length; c++) {
            check(newCounts[c] >= 0, "prototype count " + newCounts[c]);
            check(newStamps[c] >= 0 && newStamps[c] <= newClock, "prototype stamp " + newStamps[c]);
            if (newCounts[c] > 0) {
                newPrototypeClasses++;
            }
        }
        check(newPrototypeClasses <= options.semanticSize(), newPrototypeClasses + " prototypes");
        return new SavedPrototypes(newPrototypes, newCounts, newStamps, newClock, newPrototypeClasses);
    }

    /** Reads what {@link #saveCodes} wrote; the codes' stamps are checked against the prototypes' clock. */
    Saved readCodes(StateReader in, SavedPrototypes saved) throws IOException {
        boolean savedCodes = in.readBoolean();
        if (savedCodes != (codec != null)) {
            throw new IOException("hierarchical memory: the checkpoint's semantic tier holds "
                    + (savedCodes ? "codes of an expert's codec, but no expert offers one in this run"
                    : "prototypes, but this run offers the codec of " + codecExpert + " (semantic: codes)"));
        }
        if (!savedCodes) {
            return new Saved(saved, -1, null, null, null, null, null);
        }
        int savedCodeSize = in.readInt();
        if (savedCodeSize != codeSize) {
            throw new IOException(COMPONENT + " checkpoint was written with codec's code size = " + savedCodeSize
                    + ", but this run has codec's code size = " + codeSize);
        }
        int newCodeCount = in.readInt();
        check(newCodeCount >= 0 && newCodeCount <= options.semanticSize(), "code count " + newCodeCount);
        double[] newCodes = in.readDoubles(newCodeCount * codeSize, "semantic tier's codes");
        int[] newCodeClasses = in.readInts();
        check(newCodeClasses != null && newCodeClasses.length == newCodeCount, "code classes");
        int[] newPerGroup = new int[codesPerGroup.length];
        for (int g : newCodeClasses) {
            check(g >= 0 && g < newPerGroup.length, "code class " + g);
            newPerGroup[g]++;
            check(newPerGroup[g] <= options.codesPerClass(), newPerGroup[g] + " codes of class " + g);
        }
        double[] newCodeTargets = in.readDoubles();
        check(classification ? newCodeTargets == null : newCodeTargets != null && newCodeTargets.length == newCodeCount,
                "code targets");
        long[] newCodeStamps = readLongs(in, newCodeCount, "semantic tier's code stamps");
        for (long stamp : newCodeStamps) {
            check(stamp > 0 && stamp <= saved.clock(), "code stamp " + stamp);
        }
        return new Saved(saved, newCodeCount, newCodes, newCodeClasses, newCodeTargets, newCodeStamps, newPerGroup);
    }

    void load(Saved saved) {
        SavedPrototypes p = saved.prototypes();
        System.arraycopy(p.prototypes(), 0, prototypes, 0, prototypes.length);
        System.arraycopy(p.counts(), 0, prototypeCounts, 0, prototypeCounts.length);
        System.arraycopy(p.stamps(), 0, prototypeStamps, 0, prototypeStamps.length);
        prototypeClasses = p.classes();
        clock = p.clock();
        if (saved.count() >= 0) {
            codeCount = saved.count();
            System.arraycopy(saved.codes(), 0, codes, 0, saved.codes().length);
            System.arraycopy(saved.classes(), 0, codeClasses, 0, codeCount);
            if (!classification) {
                System.arraycopy(saved.targets(), 0, codeTargets, 0, codeCount);
            }
            System.arraycopy(saved.stamps(), 0, codeStamps, 0, codeCount);
            System.arraycopy(saved.perGroup(), 0, codesPerGroup, 0, saved.perGroup().length);
        }
    }

    /** The class of a code slot, for tests. */
    int codeClass(int slot) {
        return codeClasses[slot];
    }

    /** The prototype of a class (a copy), for tests. */
    double[] prototype(int cls) {
        double[] p = new double[features];
        System.arraycopy(prototypes, cls * features, p, 0, features);
        return p;
    }
}
