package io.scarcity.api.testing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scarcity.api.Checkpointable;
import io.scarcity.api.ConfigException;
import io.scarcity.api.DataSchema;
import io.scarcity.api.MetricsSink;
import io.scarcity.api.PluginConfig;
import io.scarcity.api.PluginContext;
import io.scarcity.api.PluginFactory;
import io.scarcity.api.StateReader;
import io.scarcity.api.StateWriter;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.text.MessageFormat;
import java.security.CodeSource;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Random;
import java.util.ResourceBundle;
import java.util.ServiceLoader;
import java.util.TreeMap;
import java.util.function.LongFunction;
import java.util.function.Supplier;

/**
 * The contract every plugin kind shares (published in api's test-jar): its factory's registration, the
 * refusal of bad options, the checkpoint round trip that continues bit for bit, the refusal of a format
 * version it does not read, and determinism per seed. The kind-specific kits ({@link ExpertTestKit},
 * {@link RouterTestKit}, {@link MemoryTestKit}, {@link MetaLearnerTestKit}, {@link GossipTestKit}) bring
 * the drivers that feed each kind generated inputs and the one-call {@code assertContract} of each.
 *
 * <p>Outputs are compared as text fingerprints in which every double is written by
 * {@link Double#toString(double)}, which tells every two distinct doubles apart: equal fingerprints are
 * bit-identical outputs (NaN payloads aside), and a failure shows where they part.
 */
public final class PluginTestKit {
    /** The path the kits give a plugin's options, so that a bad {@code k} is reported as {@code plugin.config.k}. */
    public static final String CONFIG_PATH = "plugin.config";

    private PluginTestKit() {
    }

    /** A context outside any run: the given seed, schema ({@code null} on the coordinator) and instance name. */
    public static PluginContext context(long seed, DataSchema schema, String instanceName) {
        return PluginContext.standalone(seed, schema, instanceName);
    }

    /** {@code base} in every respect but its metrics, which go to {@code metrics}. */
    public static PluginContext withMetrics(PluginContext base, MetricsSink metrics) {
        return withReports(base, metrics, base.logger());
    }

    /** {@code base} in every respect but its metrics and its log, which go to {@code metrics} and {@code logger}. */
    public static PluginContext withReports(PluginContext base, MetricsSink metrics, System.Logger logger) {
        Objects.requireNonNull(metrics, "metrics is null");
        Objects.requireNonNull(logger, "logger is null");
        return new PluginContext() {
            @Override
            public long seed() {
                return base.seed();
            }

            @Override
            public Random random() {
                return base.random();
            }

            @Override
            public java.time.Clock clock() {
                return base.clock();
            }

            @Override
            public System.Logger logger() {
                return logger;
            }

            @Override
            public MetricsSink metrics() {
                return metrics;
            }

            @Override
            public Optional<String> clientId() {
                return base.clientId();
            }

            @Override
            public Optional<String> domain() {
                return base.domain();
            }

            @Override
            public java.nio.file.Path configDir() {
                return base.configDir();
            }

            @Override
            public Optional<DataSchema> schema() {
                return base.schema();
            }

            @Override
            public String instanceName() {
                return base.instanceName();
            }
        };
    }

    /** Sums a plugin's counters and keeps its gauges' last values, so that two instances can be compared. */
    public static class RecordingMetrics implements MetricsSink {
        public final Map<String, Long> counts = new TreeMap<>();
        public final Map<String, Double> gauges = new TreeMap<>();

        @Override
        public void gauge(String name, double value) {
            gauges.put(name, value);
        }

        @Override
        public void count(String name, long delta) {
            counts.merge(name, delta, Long::sum);
        }

        /** The sum of a counter, 0 if it was never counted. */
        public long count(String name) {
            return counts.getOrDefault(name, 0L);
        }
    }

    /** Keeps every log line as {@code LEVEL message}, its parameters filled in ({@link MessageFormat}). */
    public static final class RecordingLogger implements System.Logger {
        public final List<String> lines = new ArrayList<>();

        @Override
        public String getName() {
            return "test";
        }

        @Override
        public boolean isLoggable(Level level) {
            return true;
        }

        @Override
        public void log(Level level, ResourceBundle bundle, String msg, Throwable thrown) {
            lines.add(level + " " + msg);
        }

        @Override
        public void log(Level level, ResourceBundle bundle, String format, Object... params) {
            lines.add(level + " " + (params == null || params.length == 0 ? format : MessageFormat.format(format, params)));
        }

        /** The lines logged at {@code level}. */
        public List<String> at(Level level) {
            return lines.stream().filter(l -> l.startsWith(level + " ")).toList();
        }
    }

    /** {@code factory.create} with {@code options} under {@link #CONFIG_PATH}. */
    public static <T> T create(PluginFactory<T> factory, Map<String, ?> options, PluginContext context) {
        return factory.create(PluginConfig.of(CONFIG_PATH, options), context);
    }

    /** Instances made the same way each time: same factory, options and context. */
    public static <T> Supplier<T> maker(PluginFactory<T> factory, Map<String, ?> options, PluginContext context) {
        return () -> create(factory, options, context);
    }

    // ---------------------------------------------------------------- factory contract

    /**
     * The factory contract: {@code type}'s name matches {@link PluginFactory#NAME_PATTERN}; the plugin's
     * own code (the jar or folder {@code type} is loaded from) registers exactly one factory of
     * {@code kind} through {@link ServiceLoader} ({@code META-INF/services}), of {@code type}; among all
     * registered factories of the kind exactly one is named {@code name}; its description is not blank.
     *
     * @param kind the factory interface of the plugin's kind, e.g. {@code ExpertFactory.class}
     * @return the registered factory, for further checks
     */
    public static <F extends PluginFactory<?>> F assertRegistered(Class<F> kind, Class<? extends F> type, String name) {
        assertTrue(PluginFactory.NAME_PATTERN.matcher(name).matches(), "'" + name + "' is not a valid plugin name");
        List<F> all = ServiceLoader.load(kind).stream().map(ServiceLoader.Provider::get).toList();
        CodeSource own = type.getProtectionDomain().getCodeSource();
        List<F> mine = all.stream().filter(f -> Objects.equals(own, f.getClass().getProtectionDomain().getCodeSource())).toList();
        assertEquals(1, mine.size(), "factories of " + kind.getSimpleName() + " registered by " + own + ": " + mine);
        F found = mine.get(0);
        assertInstanceOf(type, found);
        assertEquals(name, found.name());
        assertEquals(1, all.stream().filter(f -> f.name().equals(name)).count(),
                "exactly one " + kind.getSimpleName() + " named " + name);
        assertFalse(found.description().isBlank(), "a description for `scarcity plugins`");
        return found;
    }

    /**
     * {@link #assertRegistered}, and no other factory of {@code kind} on the class path: for a plugin's own
     * tests, whose class path holds the api and the plugin only.
     */
    public static <F extends PluginFactory<?>> F assertTheOnlyFactory(Class<F> kind, Class<? extends F> type, String name) {
        F found = assertRegistered(kind, type, name);
        assertEquals(1, ServiceLoader.load(kind).stream().count(), "the only " + kind.getSimpleName() + " on the class path");
        return found;
    }

    // ---------------------------------------------------------------- bad options

    /**
     * A bad value for an option.
     *
     * @param key the option's path below the plugin's config, dotted for nested sections ({@code tiers.hot})
     * @param value the bad value
     * @param reportedAt the option the refusal names: {@code key} itself, or another one when the value
     *        breaks a rule between options that is reported at the other (a warning level above the drift level)
     * @param saying what the refusal's message must also contain (the rule broken, say {@code "must be in [0, 1]"})
     */
    public record BadOption(String key, Object value, String reportedAt, List<String> saying) {
        public BadOption {
            Objects.requireNonNull(key, "key is null");
            Objects.requireNonNull(reportedAt, "reportedAt is null");
            saying = List.copyOf(saying);
        }

        public BadOption(String key, Object value, String reportedAt) {
            this(key, value, reportedAt, List.of());
        }

        public BadOption(String key, Object value) {
            this(key, value, key);
        }

        /** The same bad value, whose refusal names {@code option} instead of its own key. */
        public BadOption reportedAt(String option) {
            return new BadOption(key, value, option, saying);
        }

        /** The same bad value, whose refusal's message must also contain each of {@code fragments}. */
        public BadOption saying(String... fragments) {
            List<String> all = new ArrayList<>(saying);
            all.addAll(List.of(fragments));
            return new BadOption(key, value, reportedAt, all);
        }

        @Override
        public String toString() {
            return key + "=" + (value instanceof String ? "'" + value + "'" : value);
        }
    }

    /** {@link BadOption} of {@code key} and {@code value}. */
    public static BadOption bad(String key, Object value) {
        return new BadOption(key, value);
    }

    /** One {@link BadOption} per value, all of {@code key}. */
    public static List<BadOption> bad(String key, Object... values) {
        List<BadOption> out = new ArrayList<>();
        for (Object v : values) {
            out.add(new BadOption(key, v));
        }
        return out;
    }

    /** One {@link BadOption} per value, all of {@code key}, each refused with a message that contains {@code saying}. */
    public static List<BadOption> badSaying(String saying, String key, Object... values) {
        return bad(key, values).stream().map(b -> b.saying(saying)).toList();
    }

    /** {@link #assertBadOptionsRefused(PluginFactory, PluginContext, Map, List)} over no other options. */
    public static void assertBadOptionsRefused(PluginFactory<?> factory, PluginContext context, List<BadOption> bad) {
        assertBadOptionsRefused(factory, context, Map.of(), bad);
    }

    /**
     * Each bad option, set on top of {@code base} (a dotted key into nested sections), is refused by
     * {@code factory.create} with a {@link ConfigException} whose {@link ConfigException#path() path} is the
     * key's full path ({@code plugin.config.} + key, or + {@link BadOption#reportedAt()}) and whose message names it
     * and contains what the option {@link BadOption#saying says}.
     */
    public static void assertBadOptionsRefused(PluginFactory<?> factory, PluginContext context, Map<String, ?> base,
            List<BadOption> bad) {
        assertFalse(bad.isEmpty(), "no bad options given");
        for (BadOption option : bad) {
            Map<String, Object> options = with(base, option.key(), option.value());
            String path = CONFIG_PATH + "." + option.reportedAt();
            ConfigException e = assertThrows(ConfigException.class,
                    () -> factory.create(PluginConfig.of(CONFIG_PATH, options), context), option + " is accepted");
            assertEquals(path, e.path(), option.toString());
            assertTrue(e.getMessage().contains(path), e.getMessage());
            for (String words : option.saying()) {
                assertTrue(e.getMessage().contains(words), option + ": the message does not say '" + words + "': " + e.getMessage());
            }
        }
    }

    /**
     * An option the plugin does not know ({@code key}, a misspelt one say) is left unread by
     * {@code factory.create}, so that the runtime reports it as unknown: the config's
     * {@link PluginConfig#unreadKeys() unread keys} are exactly its full path afterwards.
     *
     * @return the config, for further checks (which keys the factory asked for, say)
     */
    public static PluginConfig assertUnknownOptionLeftUnread(PluginFactory<?> factory, PluginContext context, String key,
            Object value) {
        PluginConfig config = PluginConfig.of(CONFIG_PATH, Map.of(key, value));
        factory.create(config, context);
        assertEquals(java.util.Set.of(CONFIG_PATH + "." + key), config.unreadKeys(), "unknown option " + key);
        return config;
    }

    /**
     * A client-side plugin (an expert or a memory) created on the coordinator, whose context has no schema,
     * is refused with a {@link ConfigException} that says a schema is needed.
     */
    public static void assertNeedsASchema(PluginFactory<?> factory) {
        ConfigException e = assertThrows(ConfigException.class,
                () -> factory.create(PluginConfig.of(CONFIG_PATH, Map.of()), context(1, null, factory.name())));
        assertTrue(e.getMessage().contains("schema"), e.getMessage());
    }

    /** {@code base} with the dotted {@code key} set to {@code value} (sections created or copied on the way). */
    @SuppressWarnings("unchecked")
    public static Map<String, Object> with(Map<String, ?> base, String key, Object value) {
        Map<String, Object> out = new LinkedHashMap<>(base);
        int dot = key.indexOf('.');
        if (dot < 0) {
            out.put(key, value);
        } else {
            String head = key.substring(0, dot);
            Object section = out.get(head);
            out.put(head, with(section instanceof Map<?, ?> m ? (Map<String, ?>) m : Map.of(), key.substring(dot + 1), value));
        }
        return out;
    }

    // ---------------------------------------------------------------- checkpoints

    /** The checkpoint of a plugin object (which must be {@link Checkpointable}) as bytes. */
    public static byte[] save(Object plugin) throws IOException {
        Checkpointable checkpointable = assertInstanceOf(Checkpointable.class, plugin, "the plugin is not Checkpointable");
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        StateWriter out = new StateWriter(bytes);
        checkpointable.saveState(out);
        out.flush();
        return bytes.toByteArray();
    }

    /** Restores bytes written by {@link #save} into a plugin object. */
    public static void restore(Object plugin, byte[] state) throws IOException {
        assertInstanceOf(Checkpointable.class, plugin, "the plugin is not Checkpointable")
                .restoreState(new StateReader(new ByteArrayInputStream(state)));
    }

    /** The format version a plugin writes first ({@link StateWriter#writeVersion}): the first int of a fresh instance's checkpoint. */
    public static int stateVersion(Supplier<?> maker) throws IOException {
        return ByteBuffer.wrap(save(maker.get())).getInt();
    }

    /**
     * The checkpoint of a fresh instance with its version (the first int) replaced by each of
     * {@code versions} is refused by a fresh instance with an {@link IOException} naming {@code component}
     * and the version ({@code "version " + v}); the unchanged checkpoint is accepted.
     */
    public static void assertVersionsRefused(Supplier<?> maker, String component, int... versions) throws IOException {
        byte[] state = save(maker.get());
        restore(maker.get(), state);
        assertTrue(versions.length > 0, "no versions given");
        for (int v : versions) {
            byte[] other = state.clone();
            ByteBuffer.wrap(other).putInt(v);
            IOException e = assertThrows(IOException.class, () -> restore(maker.get(), other), "version " + v + " is read");
            assertTrue(e.getMessage().contains(component), "the message names " + component + ": " + e.getMessage());
            assertTrue(e.getMessage().contains("version " + v), e.getMessage());
        }
    }

    /**
     * A checkpoint of a format version the plugin does not know (one above the version it writes) is
     * refused naming {@code component}: {@link #assertVersionsRefused} with {@code stateVersion + 1}.
     */
    public static void assertUnknownVersionRefused(Supplier<?> maker, String component) throws IOException {
        assertVersionsRefused(maker, component, stateVersion(maker) + 1);
    }

    /**
     * Checkpoints of the earlier formats {@code 1 .. current - 1} are refused, each naming the component,
     * the version and telling the user to start afresh; {@code current} must be what the plugin writes.
     */
    public static void assertEarlierVersionsRefused(Supplier<?> maker, String component, int current) throws IOException {
        assertEquals(current, stateVersion(maker), "the format version written");
        byte[] state = save(maker.get());
        for (int v = 1; v < current; v++) {
            byte[] old = state.clone();
            ByteBuffer.wrap(old).putInt(v);
            IOException e = assertThrows(IOException.class, () -> restore(maker.get(), old), "version " + v + " is read");
            assertTrue(e.getMessage().contains(component) && e.getMessage().contains("format version " + v)
                    && e.getMessage().contains("start the run afresh"), e.getMessage());
        }
    }

    // ---------------------------------------------------------------- drivers, determinism, round trip

    /**
     * Drives a plugin {@code steps} steps from step {@code from} with inputs drawn from {@code random}
     * and returns one fingerprint per step of everything it output (see the class comment). Two
     * instances that behave the same, driven with generators of one seed, return equal lists.
     */
    @FunctionalInterface
    public interface Driver<T> {
        List<String> drive(T plugin, Random random, int from, int steps);
    }

    /** Determinism per seed: two instances made alike and driven alike give identical outputs, step by step. */
    public static <T> void assertDeterministic(Supplier<T> maker, Driver<T> driver, long seed, int steps) {
        List<String> a = driver.drive(maker.get(), new Random(seed), 0, steps);
        List<String> b = driver.drive(maker.get(), new Random(seed), 0, steps);
        assertSameOutputs(a, b, "two instances of one seed");
    }

    /**
     * Another seed gives other outputs: instances made by {@code bySeed} with {@code seed} and
     * {@code seed + 1}, driven alike, differ somewhere (for plugins that draw from their generator, so
     * that a test can tell the seed is used at all).
     */
    public static <T> void assertSeedMatters(LongFunction<T> bySeed, Driver<T> driver, long seed, int steps) {
        assertNotEquals(driver.drive(bySeed.apply(seed), new Random(seed), 0, steps),
                driver.drive(bySeed.apply(seed + 1), new Random(seed), 0, steps), "another seed gives the same outputs");
    }

    /**
     * The checkpoint contract: instances A and B, made alike, are driven {@code warmUp} steps with the same
     * inputs (and must agree); A is saved and its checkpoint restored into a fresh instance C, which saves
     * the same bytes; then B (never saved), A (saved) and C are driven {@code steps} more with the same
     * inputs and must all give identical outputs and end with identical checkpoints. A fresh instance
     * driven through the continuation must differ from them, so that the scenario does tell a restored
     * state from none.
     */
    public static <T> void assertRoundTrip(Supplier<T> maker, Driver<T> driver, long seed, int warmUp, int steps)
            throws IOException {
        assertRoundTrip(maker, driver, seed, warmUp, steps, true);
    }

    /**
     * {@link #assertRoundTrip(Supplier, Driver, long, int, int)}; with {@code stateShows} false the last
     * check (a fresh instance differs) is left out, for a plugin whose outputs in the scenario may not
     * depend on its state at all (a schedule that is a function of the round, say).
     */
    public static <T> void assertRoundTrip(Supplier<T> maker, Driver<T> driver, long seed, int warmUp, int steps,
            boolean stateShows) throws IOException {
        T a = maker.get();
        T b = maker.get();
        Random random = new Random(seed);
        long first = random.nextLong();
        assertSameOutputs(driver.drive(a, new Random(first), 0, warmUp), driver.drive(b, new Random(first), 0, warmUp),
                "warm-up of two instances of one seed");
        byte[] state = save(a);

        T c = maker.get();
        restore(c, state);
        assertArrayEquals(state, save(c), "a restored instance saves what it was restored from");

        long next = random.nextLong();
        List<String> uninterrupted = driver.drive(b, new Random(next), warmUp, steps);
        assertSameOutputs(uninterrupted, driver.drive(a, new Random(next), warmUp, steps), "saving changed the saved instance");
        assertSameOutputs(uninterrupted, driver.drive(c, new Random(next), warmUp, steps), "the restored instance");
        byte[] end = save(b);
        assertArrayEquals(end, save(a));
        assertArrayEquals(end, save(c));

        if (stateShows) {
            assertNotEquals(uninterrupted, driver.drive(maker.get(), new Random(next), warmUp, steps),
                    "without the state the outputs differ (else the scenario cannot tell)");
        }
    }

    /**
     * A truncated checkpoint (half of one taken after {@code warmUp} steps) is refused with an
     * {@link IOException}, and the instance that refused it behaves as a fresh one.
     */
    public static <T> void assertCorruptRefusedAndChangesNothing(Supplier<T> maker, Driver<T> driver, long seed, int warmUp)
            throws IOException {
        byte[] state = save(driven(maker, driver, seed, warmUp));
        T b = maker.get();
        assertThrows(IOException.class, () -> restore(b, Arrays.copyOf(state, state.length / 2)));
        assertSameOutputs(driver.drive(maker.get(), new Random(seed + 1), 0, warmUp),
                driver.drive(b, new Random(seed + 1), 0, warmUp), "a refused checkpoint changes nothing");
    }

    /**
     * Every truncation of a checkpoint taken after {@code warmUp} steps (each cut for a checkpoint of up to
     * 4 KiB; else 256 cuts spread over it and the last 16) is refused with an {@link IOException} by an
     * instance driven {@code warmUp} steps with other inputs, which saves the same bytes as before after
     * each refusal: a refused checkpoint changes nothing, however far it was read.
     */
    public static <T> void assertTruncationsRefused(Supplier<T> maker, Driver<T> driver, long seed, int warmUp)
            throws IOException {
        byte[] state = save(driven(maker, driver, seed, warmUp));
        T b = driven(maker, driver, seed + 1, warmUp);
        byte[] before = save(b);
        for (int cut : cuts(state.length)) {
            byte[] truncated = Arrays.copyOf(state, cut);
            assertThrows(IOException.class, () -> restore(b, truncated), "cut to " + cut + " of " + state.length + " bytes: read");
            assertArrayEquals(before, save(b), "cut to " + cut + " of " + state.length + " bytes: the refusal changed the instance");
        }
    }

    /** A new instance driven {@code warmUp} steps with inputs drawn from {@code seed}. */
    private static <T> T driven(Supplier<T> maker, Driver<T> driver, long seed, int warmUp) {
        T plugin = maker.get();
        driver.drive(plugin, new Random(seed), 0, warmUp);
        return plugin;
    }

    private static List<Integer> cuts(int length) {
        List<Integer> cuts = new ArrayList<>();
        int step = length <= 4096 ? 1 : length / 256;
        for (int cut = 0; cut < length; cut += step) {
            cuts.add(cut);
        }
        for (int cut = Math.max(0, length - 16); cut < length; cut++) {
            if (!cuts.contains(cut)) {
                cuts.add(cut);
            }
        }
        return cuts;
    }

    /**
     * Every refusal a checkpointable plugin's restore owes: a checkpoint of an unknown format version
     * ({@link #assertUnknownVersionRefused}), of each earlier one ({@link #assertEarlierVersionsRefused},
     * {@code current} being the version the plugin writes) and every truncation of one taken after
     * {@code warmUp} steps ({@link #assertTruncationsRefused}).
     */
    public static <T> void assertCheckpointRefusals(Supplier<T> maker, String component, int current, Driver<T> driver,
            long seed, int warmUp) throws IOException {
        assertUnknownVersionRefused(maker, component);
        assertEarlierVersionsRefused(maker, component, current);
        assertTruncationsRefused(maker, driver, seed, warmUp);
    }

    /** Equal fingerprints step by step, the first difference named. */
    public static void assertSameOutputs(List<String> expected, List<String> actual, String what) {
        assertEquals(expected.size(), actual.size(), what + ": steps");
        for (int i = 0; i < expected.size(); i++) {
            assertEquals(expected.get(i), actual.get(i), what + ": step " + i);
        }
    }

    // ---------------------------------------------------------------- fingerprints

    /** Every value, exactly. */
    public static String fingerprint(double[] values) {
        return Arrays.toString(values);
    }

    /** Sorted keys, exact values. */
    public static String fingerprint(Map<String, Double> values) {
        return new TreeMap<>(values).toString();
    }

    /** Exact bits of one double, as text. */
    public static String fingerprint(double value) {
        return Double.toString(value);
    }
}
