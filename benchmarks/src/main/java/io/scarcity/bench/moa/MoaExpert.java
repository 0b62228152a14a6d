package io.scarcity.bench.moa;

import com.yahoo.labs.samoa.instances.Attribute;
import com.yahoo.labs.samoa.instances.DenseInstance;
import com.yahoo.labs.samoa.instances.Instance;
import com.yahoo.labs.samoa.instances.Instances;
import com.yahoo.labs.samoa.instances.InstancesHeader;
import io.scarcity.api.Batch;
import io.scarcity.api.BatchOutcome;
import io.scarcity.api.DataSchema;
import io.scarcity.api.Expert;
import io.scarcity.api.ExpertCapabilities;
import io.scarcity.api.Prediction;
import io.scarcity.api.SignalBoard;
import io.scarcity.api.Task;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import moa.classifiers.AbstractClassifier;

/**
 * A MOA classifier as a Scarcity expert: test-then-train, row by row, on MOA instances built against one
 * header made from the client's schema (numeric attributes, then a nominal class with the schema's class
 * names).
 *
 * <p>Predicts: per row, MOA's votes become probabilities (negative and NaN votes count 0, an array shorter
 * than the number of classes is padded with 0 and a longer one truncated, an all-zero row is uniform).
 * Learns: every row of a labelled batch, with the row's weight as the instance weight (MOA skips weight 0);
 * unlabelled batches are ignored. Replayed rows are ignored too, so that the baseline stays MOA's own
 * prequential learner. Not gossipable (trees cannot be averaged), reads and writes no signals, and has no
 * learning rate.
 *
 * <p>One instance per client, called from one thread at a time (the {@link Expert} contract): the two MOA
 * instances and the probability buffer are reused across rows and batches.
 */
final class MoaExpert implements Expert {
    private static final ExpertCapabilities CAPABILITIES = new ExpertCapabilities(true, false, Set.of(), Set.of());

    private final String name;
    private final AbstractClassifier learner;
    private final String commandLine;
    private final int numFeatures;
    private final int numClasses;
    /** Rows to predict: the class value stays missing, so no label can reach a prediction. */
    private final Instance testInstance;
    private final Instance trainInstance;
    private double[] probabilities = new double[0];

    /**
     * @param name the plugin name, for messages
     * @param learner a prepared MOA classifier whose model context is {@code header}
     * @param header from {@link #header(DataSchema)}
     */
    MoaExpert(String name, AbstractClassifier learner, InstancesHeader header, DataSchema schema) {
        this.name = Objects.requireNonNull(name, "name is null");
        this.learner = Objects.requireNonNull(learner, "learner is null");
        this.numFeatures = schema.numFeatures();
        this.numClasses = schema.numClasses();
        this.commandLine = (learner.getClass().getName().replaceFirst("^moa\\.classifiers\\.", "") + " "
                + learner.getOptions().getAsCLIString()).trim();
        this.testInstance = newInstance(header);
        this.testInstance.setMissing(numFeatures);
        this.trainInstance = newInstance(header);
    }

    /**
     * The MOA header of a classification schema: one numeric attribute per feature, then the class, a
     * nominal attribute with the schema's class names (class index {@code i} is value {@code i}).
     */
    static InstancesHeader header(DataSchema schema) {
        if (schema.task() != Task.CLASSIFICATION) {
            throw new IllegalArgumentException("MOA experts classify; got a " + schema.task() + " schema");
        }
        List<Attribute> attributes = new ArrayList<>(schema.numFeatures() + 1);
        Set<String> names = new HashSet<>();
        for (String f : schema.featureNames()) {
            attributes.add(new Attribute(unique(f, names)));
        }
        attributes.add(new Attribute(unique("class", names), schema.classNames()));
        Instances dataset = new Instances("scarcity", attributes, 0);
        dataset.setClassIndex(schema.numFeatures());
        return new InstancesHeader(dataset);
    }

    private static String unique(String name, Set<String> taken) {
        String n = name;
        for (int i = 2; !taken.add(n); i++) {
            n = name + "_" + i;
        }
        return n;
    }

    private Instance newInstance(InstancesHeader header) {
        Instance instance = new DenseInstance(1.0, new double[numFeatures + 1]);
        instance.setDataset(header);
        return instance;
    }

    @Override
    public ExpertCapabilities capabilities() {
        return CAPABILITIES;
    }

    @Override
    public Prediction predict(Batch batch, SignalBoard signals) {
        checkShape(batch);
        int rows = batch.rows();
        int k = numClasses;
        if (probabilities.length != rows * k) {
            probabilities = new double[rows * k];
        }
        for (int r = 0; r < rows; r++) {
            setFeatures(testInstance, batch, r);
            toProbabilities(learner.getVotesForInstance(testInstance), k, probabilities, r * k);
        }
        return Prediction.ofProbabilities(rows, k, probabilities);
    }

    @Override
    public void learn(Batch batch, BatchOutcome outcome, SignalBoard signals) {
        if (!batch.hasLabels()) {
            return;
        }
        checkShape(batch);
        for (int r = 0, rows = batch.rows(); r < rows; r++) {
            setFeatures(trainInstance, batch, r);
            trainInstance.setClassValue(batch.label(r));
            trainInstance.setWeight(batch.weight(r));
            learner.trainOnInstance(trainInstance);
        }
    }

    private void setFeatures(Instance instance, Batch batch, int row) {
        for (int j = 0; j < numFeatures; j++) {
            instance.setValue(j, batch.value(row, j));
        }
    }

    private void checkShape(Batch batch) {
        if (batch.numFeatures() != numFeatures || batch.schema().numClasses() != numClasses) {
            throw new IllegalArgumentException(name + " was created for " + numFeatures + " features and " + numClasses
                    + " classes, got a batch of " + batch.numFeatures() + " features and " + batch.schema().numClasses()
                    + " classes");
        }
    }

    /**
     * Writes MOA's votes for one row as {@code k} probabilities summing to one into {@code dest} from
     * {@code offset}: negative and NaN votes count 0, missing classes (a short array) 0, extra entries are
     * ignored; if any vote is +infinity, those classes share the probability; if all are 0, uniform.
     */
    static void toProbabilities(double[] votes, int k, double[] dest, int offset) {
        int n = votes == null ? 0 : Math.min(votes.length, k);
        boolean infinite = false;
        for (int c = 0; c < n; c++) {
            if (votes[c] == Double.POSITIVE_INFINITY) {
                infinite = true;
                break;
            }
        }
        double sum = 0;
        for (int c = 0; c < k; c++) {
            double v = c < n ? votes[c] : 0;
            double p = infinite ? (v == Double.POSITIVE_INFINITY ? 1 : 0) : (v > 0 && v < Double.POSITIVE_INFINITY ? v : 0);
            dest[offset + c] = p;
            sum += p;
        }
        if (sum > 0 && sum < Double.POSITIVE_INFINITY) {
            for (int c = 0; c < k; c++) {
                dest[offset + c] /= sum;
            }
        } else {
            for (int c = 0; c < k; c++) {
                dest[offset + c] = 1.0 / k;
            }
        }
    }

    /** The MOA learner, for tests and benchmarks in this package. */
    AbstractClassifier learner() {
        return learner;
    }

    /** The learner's class (without {@code moa.classifiers.}) and its non-default MOA options. */
    String commandLine() {
        return commandLine;
    }

    @Override
    public String toString() {
        return name + "[" + commandLine + "]";
    }
}
