package io.scarcity.bench.moa;

import com.github.javacliparser.Option;
import com.yahoo.labs.samoa.instances.InstancesHeader;
import io.scarcity.api.ConfigException;
import io.scarcity.api.DataSchema;
import io.scarcity.api.Expert;
import io.scarcity.api.ExpertFactory;
import io.scarcity.api.PluginConfig;
import io.scarcity.api.PluginContext;
import io.scarcity.api.Task;
import java.lang.System.Logger.Level;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.StringJoiner;
import moa.classifiers.AbstractClassifier;

/**
 * Creates a {@link MoaExpert} around one MOA classifier: reads the validated options, refuses
 * regression, builds the learner's command line ({@code moaOptions}, then the named options, so a named
 * option wins), lets MOA parse it, and prepares the learner for the client's schema.
 *
 * <p>Seeding: a learner MOA calls randomizable (of the three, only the random forest) gets
 * {@code context.random().nextInt()} as its random seed, so runs are reproducible and clients differ.
 * MOA does not expose that seed on the command line ({@code -r} is unknown to the forest), so
 * {@code moaOptions} cannot change it. The Hoeffding tree is deterministic; the Hoeffding adaptive
 * tree's Poisson(1) resampling uses a seed MOA fixes at 1 in every leaf and offers no option for.
 */
abstract class MoaExpertFactory implements ExpertFactory {
    /** A new, unconfigured MOA learner. */
    abstract AbstractClassifier newLearner();

    /** The validated options; throws {@link ConfigException} with the key's full path. */
    abstract MoaOptions readOptions(PluginConfig config);

    /** Called once the learner is prepared, e.g. to adjust its threads. Default: nothing. */
    void prepared(AbstractClassifier learner, MoaOptions options, PluginConfig config, PluginContext context) {
    }

    @Override
    public final Expert create(PluginConfig config, PluginContext context) {
        Objects.requireNonNull(config, "config is null");
        Objects.requireNonNull(context, "context is null");
        MoaOptions options = readOptions(config);
        DataSchema schema = context.requireSchema(config, name());
        if (schema.task() != Task.CLASSIFICATION) {
            throw new ConfigException(config.path(), name() + " is a MOA classifier and supports classification only, "
                    + "but this client's stream is a " + schema.task().name().toLowerCase(java.util.Locale.ROOT)
                    + " task; use it on classification streams or choose a regression expert");
        }
        int seed = context.random().nextInt();
        AbstractClassifier learner = configure(options, config, seed);
        InstancesHeader header = MoaExpert.header(schema);
        learner.setModelContext(header);
        prepared(learner, options, config, context);
        MoaExpert expert = new MoaExpert(name(), learner, header, schema);
        context.logger().log(Level.DEBUG, () -> context.instanceName() + ": MOA " + expert.commandLine());
        return expert;
    }

    /** A learner with the options applied and prepared for use; a MOA error names {@code moaOptions}. */
    private AbstractClassifier configure(MoaOptions options, PluginConfig config, int seed) {
        String extra = options.moaOptions();
        if (!extra.isEmpty()) {
            checkExtra(extra, options, config);
        }
        AbstractClassifier learner = newLearner();
        String cli = (extra + " " + options.commandLine()).trim();
        try {
            learner.getOptions().setViaCLIString(cli);
            if (learner.isRandomizable()) {
                // MOA keeps the seed option off the command line (the field is not public), so set it directly
                learner.setRandomSeed(seed);
            }
            learner.prepareForUse();
        } catch (RuntimeException e) {
            if (extra.isEmpty()) {
                throw new IllegalStateException(name() + ": MOA rejected the command line '" + cli + "'", e);
            }
            throw config.invalid("moaOptions", rejected(extra, e, learner));
        }
        return learner;
    }

    /**
     * Parses {@code moaOptions} on a spare learner that already has the named options: MOA's own errors,
     * and any named option that {@code moaOptions} would change (MOA's parser does not reset options).
     */
    private void checkExtra(String extra, MoaOptions options, PluginConfig config) {
        AbstractClassifier probe = newLearner();
        probe.getOptions().setViaCLIString(options.commandLine());
        Map<Character, String> named = new HashMap<>();
        for (Option o : probe.getOptions().getOptionArray()) {
            named.put(o.getCLIChar(), o.getValueAsCLIString());
        }
        try {
            probe.getOptions().setViaCLIString(extra);
        } catch (RuntimeException e) {
            throw config.invalid("moaOptions", rejected(extra, e, probe));
        }
        for (Option o : probe.getOptions().getOptionArray()) {
            String key = options.keysByLetter().get(o.getCLIChar());
            if (key != null && !Objects.equals(o.getValueAsCLIString(), named.get(o.getCLIChar()))) {
                throw config.invalid("moaOptions", "'" + extra + "' sets -" + o.getCLIChar() + " (" + o.getName()
                        + ") to " + o.getValueAsCLIString() + ", but that is the option '" + key + "' of " + name()
                        + " (now " + named.get(o.getCLIChar()) + "); set " + key + " instead");
            }
        }
    }

    private static String rejected(String extra, RuntimeException e, AbstractClassifier learner) {
        StringBuilder why = new StringBuilder(firstLine(e.getMessage(), e.getClass().getSimpleName()));
        if (e.getCause() != null && e.getCause() != e) {
            why.append(": ").append(firstLine(e.getCause().getMessage(), e.getCause().getClass().getSimpleName()));
        }
        StringJoiner valid = new StringJoiner(", ");
        for (Option o : learner.getOptions().getOptionArray()) {
            valid.add("-" + o.getCLIChar() + " " + o.getName());
        }
        return "MOA rejected '" + extra + "': " + why + " (moaOptions is passed to MOA's "
                + learner.getClass().getSimpleName() + " verbatim; its options are " + valid + ")";
    }

    private static String firstLine(String message, String fallback) {
        if (message == null || message.isBlank()) {
            return fallback;
        }
        String m = message.strip();
        int nl = m.indexOf('\n');
        return nl < 0 ? m : m.substring(0, nl).strip();
    }
}
