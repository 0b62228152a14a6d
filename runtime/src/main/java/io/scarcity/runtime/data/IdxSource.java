package io.scarcity.runtime.data;

import io.scarcity.api.DataSchema;
import io.scarcity.api.PluginConfig;
import io.scarcity.api.Task;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * Images and labels in the IDX format of MNIST and Fashion-MNIST, plain or gzipped (recognised by the
 * magic bytes, not the name): an images file of unsigned bytes with 3 dimensions (magic
 * {@code 0x00000803}: count, rows, columns) and a labels file with 1 dimension (magic
 * {@code 0x00000801}: count), holding the same number of items.
 *
 * <p>Features are the pixels row by row, named {@code p0 .. p(rows*columns-1)}, divided by 255 unless
 * {@code normalize: false}. Class names are the distinct label values of the whole labels file, sorted
 * numerically ("0" .. "9" for MNIST), unless {@code classes} names the label values 0, 1, ... in order.
 *
 * <p>Both files are checked completely when the source is opened (header, dimensions, equal counts,
 * no truncation), so that a damaged download fails before the run rather than in its middle. Rows are
 * then streamed: only the labels (one byte per item) are held in memory.
 */
public final class IdxSource implements RowSource {
    static final int IMAGES_MAGIC = 0x00000803;
    static final int LABELS_MAGIC = 0x00000801;
    private static final int UNSIGNED_BYTE = 0x08;
    /** Pixel value v / 255, by value. */
    private static final double[] NORMALIZED = new double[256];
    private static final double[] RAW = new double[256];

    static {
        for (int v = 0; v < 256; v++) {
            NORMALIZED[v] = v / 255.0;
            RAW[v] = v;
        }
    }

    /**
     * @param images the images file
     * @param labels the labels file; {@code null} for a stream without labels (images alone)
     * @param length maximum number of rows to emit, {@link Long#MAX_VALUE} for all
     * @param normalize whether pixels are divided by 255
     * @param classes names of the label values 0, 1, ... in order; empty for the distinct values
     */
    public record Options(Path images, Path labels, long length, boolean normalize, List<String> classes) {
        public Options {
            Objects.requireNonNull(images, "images is null");
            if (length < 1) {
                throw new IllegalArgumentException("length must be >= 1, got " + length);
            }
            classes = List.copyOf(Objects.requireNonNull(classes, "classes is null"));
            if (labels == null && !classes.isEmpty()) {
                throw new IllegalArgumentException("classes name label values, but there is no labels file");
            }
            if (classes.size() == 1) {
                throw new IllegalArgumentException("classification needs at least two classes, got " + classes);
            }
            if (new HashSet<>(classes).size() != classes.size()) {
                throw new IllegalArgumentException("duplicate class names in " + classes);
            }
        }
    }

    private final Options options;
    private final String imagesName;
    private final DataSchema schema;
    private final int rows;
    private final int columns;
    private final int pixels;
    /** Items the source emits: the file's count, capped by length. */
    private final int count;
    /** Class index of each item. */
    private final int[] labels;
    private final byte[] buffer;
    private InputStream images;
    private int emitted;

    /**
     * Opens and checks both files.
     *
     * @throws DataException if a file is missing, unreadable, not IDX, of the wrong shape, truncated, or
     *     if the two files hold different numbers of items
     */
    public IdxSource(Options options) {
        this.options = Objects.requireNonNull(options, "options is null");
        this.imagesName = options.images().toString();
        DataFiles.requireRegularFile(options.images(), "an", "IDX images file");
        boolean labelled = options.labels() != null;
        String labelsName = labelled ? options.labels().toString() : null;
        if (labelled) {
            DataFiles.requireRegularFile(options.labels(), "an", "IDX labels file");
        }
        byte[] raw = labelled ? readLabels(options.labels(), labelsName) : null;
        int[] dims = checkImages(options.images(), raw == null ? -1 : raw.length, labelsName);
        this.rows = dims[1];
        this.columns = dims[2];
        this.pixels = rows * columns;
        this.count = (int) Math.min(options.length(), dims[0]);
        List<String> classNames = new ArrayList<>();
        this.labels = new int[count];
        if (labelled) {
            int[] classOf = classIndex(raw, labelsName, classNames);
            for (int i = 0; i < count; i++) {
                labels[i] = classOf[raw[i] & 0xFF];
            }
        } else {
            java.util.Arrays.fill(labels, -1); // no label: the rows of a stream without labels
        }
        List<String> features = new ArrayList<>(pixels);
        for (int p = 0; p < pixels; p++) {
            features.add("p" + p);
        }
        this.schema = new DataSchema(features, labelled ? Task.CLASSIFICATION : Task.UNLABELLED, classNames);
        this.buffer = new byte[pixels];
        this.images = openImagesAtData();
    }

    /**
     * Reads {@code images}, {@code labels}, {@code length}, {@code normalize} and {@code classes}; without
     * {@code labels} the stream has no labels ({@link Task#UNLABELLED}).
     */
    static IdxSource fromConfig(PluginConfig config, Path baseDir) {
        Objects.requireNonNull(config, "config is null");
        Objects.requireNonNull(baseDir, "baseDir is null");
        long length = StreamFactory.readLength(config);
        boolean normalize = config.getBoolean("normalize", true);
        List<String> classes = config.getStringList("classes", List.of());
        if (config.has("classes")) {
            if (classes.size() < 2) {
                throw config.invalid("classes", "needs at least two names (of the label values 0, 1, ...), got "
                        + classes + "; leave classes out to name classes by their label values");
            }
            StreamFactory.checkDistinct(config, "classes", classes);
        }
        // Both keys are asked for before either file is checked, so that both typos show at once.
        boolean hasImages = config.has("images");
        boolean hasLabels = config.has("labels");
        if (!hasImages) {
            config.getString("labels", null);
            throw config.invalid("images", "missing; an idx stream needs images (the *-images-idx3-ubyte[.gz] file)"
                    + " and, unless it is a stream without labels, labels (the *-labels-idx1-ubyte[.gz] file)");
        }
        if (!hasLabels && config.has("classes")) {
            throw config.invalid("classes", "names the label values, but the stream has no labels file; set labels"
                    + " to the *-labels-idx1-ubyte[.gz] file, or leave classes out for a stream without labels");
        }
        Path images = DataFiles.resolve(config, "images", baseDir, "IDX images file");
        Path labels = hasLabels ? DataFiles.resolve(config, "labels", baseDir, "IDX labels file") : null;
        return new IdxSource(new Options(images, labels, length, normalize, classes));
    }

    public Options options() {
        return options;
    }

    /** Rows of each image. */
    public int rows() {
        return rows;
    }

    /** Columns of each image. */
    public int columns() {
        return columns;
    }

    @Override
    public DataSchema schema() {
        return schema;
    }

    @Override
    public Optional<Row> next() {
        if (images == null) {
            return Optional.empty();
        }
        if (emitted >= count) {
            close();
            return Optional.empty();
        }
        try {
            readImage(images, buffer, emitted);
        } catch (IOException e) {
            close();
            throw unreadable(imagesName, e);
        } catch (RuntimeException e) {
            close();
            throw e;
        }
        double[] x = new double[pixels];
        double[] value = options.normalize() ? NORMALIZED : RAW;
        for (int p = 0; p < pixels; p++) {
            x[p] = value[buffer[p] & 0xFF];
        }
        int i = emitted++;
        return Optional.of(new Row(i, x, labels[i], Double.NaN));
    }

    @Override
    public void close() {
        if (images != null) {
            try {
                images.close();
            } catch (IOException e) {
                // Nothing was written, so a failed close loses nothing.
            }
            images = null;
        }
    }

    /**
     * The rows not yet emitted, held in memory as bytes (one per pixel), for task streams; closes the
     * source.
     */
    Table readAll() {
        if (images == null) {
            throw new IllegalStateException("the source is closed");
        }
        int n = count - emitted;
        if ((long) n * pixels > Integer.MAX_VALUE - 16) {
            close();
            throw new DataException(imagesName + ": " + n + " images of " + rows + "x" + columns + " are too many"
                    + " to hold in memory for a task stream; set length on the base stream");
        }
        byte[] all = new byte[n * pixels];
        int[] classes = new int[n];
        try {
            for (int i = 0; i < n; i++) {
                readImage(images, buffer, emitted);
                System.arraycopy(buffer, 0, all, i * pixels, pixels);
                classes[i] = labels[emitted];
                emitted++;
            }
        } catch (IOException e) {
            throw unreadable(imagesName, e);
        } finally {
            close();
        }
        return new ByteTable(schema, all, classes, pixels, options.normalize() ? NORMALIZED : RAW);
    }

    /** Images held as one byte per pixel. */
    private static final class ByteTable extends Table {
        private final byte[] pixels;
        private final int[] labels;
        private final int width;
        private final double[] value;

        ByteTable(DataSchema schema, byte[] pixels, int[] labels, int width, double[] value) {
            super(schema);
            this.pixels = pixels;
            this.labels = labels;
            this.width = width;
            this.value = value;
        }

        @Override
        int size() {
            return labels.length;
        }

        @Override
        int label(int i) {
            return labels[i];
        }

        @Override
        void features(int i, double[] out) {
            int base = i * width;
            for (int p = 0; p < width; p++) {
                out[p] = value[pixels[base + p] & 0xFF];
            }
        }
    }

    private void readImage(InputStream in, byte[] into, int index) throws IOException {
        int n = readUpTo(in, into, 0, into.length);
        if (n < into.length) {
            // The file changed since it was checked when the source was opened.
            throw new DataException(imagesName + ": truncated: the file ends inside image " + index + " of "
                    + count + "; was it modified during the run?");
        }
    }

    private InputStream openImagesAtData() {
        InputStream in = null;
        try {
            in = DataFiles.open(options.images());
            long skip = 16;
            while (skip > 0) {
                int b = in.read();
                if (b < 0) {
                    throw new EOFException();
                }
                skip--;
            }
            return in;
        } catch (IOException e) {
            DataFiles.closeQuietly(in);
            throw unreadable(imagesName, e);
        }
    }

    /** The whole labels file: header checked, every label read. */
    private static byte[] readLabels(Path path, String name) {
        try (InputStream in = DataFiles.open(path)) {
            int[] dims = readHeader(in, name, "labels", LABELS_MAGIC, 1);
            int n = dims[0];
            byte[] raw = new byte[n];
            int got = readUpTo(in, raw, 0, n);
            if (got < n) {
                throw new DataException(name + ": truncated: header promises " + n + " labels, file ends after "
                        + got + "; download the file again (scripts/fetch-datasets.sh)");
            }
            if (in.read() >= 0) {
                throw new DataException(name + ": the file goes on after the " + n + " labels its header promises;"
                        + " it is not a well-formed IDX labels file");
            }
            return raw;
        } catch (IOException e) {
            throw unreadable(name, e);
        }
    }

    /**
     * Checks the images file's header, that it holds as many images as there are labels ({@code labelCount}
     * -1: no labels file), and exactly the promised bytes; returns its dimensions.
     */
    private int[] checkImages(Path path, int labelCount, String labelsName) {
        try (InputStream in = DataFiles.open(path)) {
            int[] dims = readHeader(in, imagesName, "images", IMAGES_MAGIC, 3);
            if (labelCount >= 0 && dims[0] != labelCount) {
                throw new DataException(imagesName + " holds " + dims[0] + " images but " + labelsName + " holds "
                        + labelCount + " labels; the two files must describe the same items (are they from the"
                        + " same set, e.g. both train or both t10k?)");
            }
            long expected = (long) dims[0] * dims[1] * dims[2];
            long got = 0;
            byte[] scratch = new byte[1 << 16];
            while (got < expected) {
                int want = (int) Math.min(scratch.length, expected - got);
                int n = readUpTo(in, scratch, 0, want);
                got += n;
                if (n < want) {
                    break;
                }
            }
            if (got < expected) {
                long perImage = (long) dims[1] * dims[2];
                throw new DataException(imagesName + ": truncated: header promises " + dims[0] + " images of "
                        + dims[1] + "x" + dims[2] + ", file ends after " + (got / perImage) + " images ("
                        + (got + 16) + " of " + (expected + 16) + " bytes"
                        + (DataFiles.isGzip(path) ? ", uncompressed" : "")
                        + "); download the file again (scripts/fetch-datasets.sh)");
            }
            if (in.read() >= 0) {
                throw new DataException(imagesName + ": the file goes on after the " + dims[0] + " images of "
                        + dims[1] + "x" + dims[2] + " its header promises; it is not a well-formed IDX images file");
            }
            return dims;
        } catch (IOException e) {
            throw unreadable(imagesName, e);
        }
    }

    /**
     * Reads and checks an IDX header: magic number (unsigned bytes, {@code dims} dimensions) and sizes.
     *
     * @return the sizes
     */
    static int[] readHeader(InputStream in, String name, String role, int magic, int dims) throws IOException {
        byte[] head = new byte[4];
        int got = readUpTo(in, head, 0, 4);
        if (got < 4) {
            throw new DataException(name + ": truncated: the file ends within its 4-byte IDX magic number"
                    + (got == 0 ? " (it is empty)" : ""));
        }
        int found = ((head[0] & 0xFF) << 24) | ((head[1] & 0xFF) << 16) | ((head[2] & 0xFF) << 8) | (head[3] & 0xFF);
        if (found != magic) {
            String expected = String.format(Locale.ROOT, "0x%08X", magic);
            String what = String.format(Locale.ROOT, "0x%08X", found);
            String hint;
            if (head[0] != 0 || head[1] != 0) {
                hint = "; this is not an IDX file";
            } else if ((head[2] & 0xFF) != UNSIGNED_BYTE) {
                hint = "; its values are of IDX type 0x" + String.format(Locale.ROOT, "%02X", head[2] & 0xFF)
                        + ", and only unsigned bytes (0x08) are supported";
            } else if (found == (magic == IMAGES_MAGIC ? LABELS_MAGIC : IMAGES_MAGIC)) {
                hint = "; it looks like an IDX " + (magic == IMAGES_MAGIC ? "labels" : "images")
                        + " file: are images and labels swapped?";
            } else {
                hint = "; it has " + (head[3] & 0xFF) + " dimensions, but " + role + " need " + dims;
            }
            throw new DataException(name + ": wrong magic number " + what + " for IDX " + role + " (expected "
                    + expected + ": unsigned bytes, " + dims + (dims == 1 ? " dimension" : " dimensions") + ")" + hint);
        }
        int[] sizes = new int[dims];
        byte[] b = new byte[4 * dims];
        got = readUpTo(in, b, 0, b.length);
        if (got < b.length) {
            throw new DataException(name + ": truncated: the file ends within its IDX header (" + (4 + got) + " of "
                    + (4 + b.length) + " bytes)");
        }
        for (int d = 0; d < dims; d++) {
            long v = ((long) (b[4 * d] & 0xFF) << 24) | ((b[4 * d + 1] & 0xFF) << 16) | ((b[4 * d + 2] & 0xFF) << 8)
                    | (b[4 * d + 3] & 0xFF);
            if (v < 1 || v > Integer.MAX_VALUE) {
                throw new DataException(name + ": dimension " + (d + 1) + " of the IDX header is " + v
                        + (v == 0 ? " (the file holds no " + role + ")" : "") + "; every dimension must be at least 1");
            }
            sizes[d] = (int) v;
        }
        if (dims == 3 && (long) sizes[1] * sizes[2] > 1 << 24) {
            throw new DataException(name + ": images of " + sizes[1] + "x" + sizes[2] + " pixels are implausibly large;"
                    + " is the header damaged?");
        }
        return sizes;
    }

    /**
     * Maps each label value (0-255) to its class index, filling {@code names}: the listed class names, or
     * the distinct values sorted.
     */
    private int[] classIndex(byte[] raw, String name, List<String> names) {
        boolean[] present = new boolean[256];
        int[] first = new int[256];
        for (int i = raw.length - 1; i >= 0; i--) {
            present[raw[i] & 0xFF] = true;
            first[raw[i] & 0xFF] = i;
        }
        int[] classOf = new int[256];
        if (!options.classes().isEmpty()) {
            int k = options.classes().size();
            for (int v = k; v < 256; v++) {
                if (present[v]) {
                    throw new DataException(name + ": label " + first[v] + " has the value " + v + ", but classes"
                            + " names only the values 0 to " + (k - 1) + "; add names to classes, or leave classes"
                            + " out to use the label values as names");
                }
            }
            names.addAll(options.classes());
            for (int v = 0; v < k; v++) {
                classOf[v] = v;
            }
            return classOf;
        }
        for (int v = 0; v < 256; v++) {
            if (present[v]) {
                classOf[v] = names.size();
                names.add(Integer.toString(v));
            }
        }
        if (names.size() < 2) {
            throw new DataException(name + ": every label is " + names.get(0) + "; classification needs at least"
                    + " two classes");
        }
        return classOf;
    }

    /**
     * Reads until {@code len} bytes or the end of the data; returns how many were read. A gzip stream cut
     * short ends the data like a plain file's end, so that truncation is reported the same way.
     */
    static int readUpTo(InputStream in, byte[] b, int off, int len) throws IOException {
        int total = 0;
        while (total < len) {
            int n;
            try {
                n = in.read(b, off + total, len - total);
            } catch (EOFException e) {
                break;
            }
            if (n < 0) {
                break;
            }
            total += n;
        }
        return total;
    }

    private static DataException unreadable(String name, IOException e) {
        return DataFiles.unreadable(name, e);
    }
}
