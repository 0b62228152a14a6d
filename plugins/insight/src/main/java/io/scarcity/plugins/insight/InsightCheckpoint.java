package io.scarcity.plugins.insight;

import io.scarcity.api.ExpertReport;
import io.scarcity.api.FeatureMoments;
import io.scarcity.api.Insight;
import io.scarcity.api.MetaParameters;
import io.scarcity.api.StateReader;
import io.scarcity.api.StateWriter;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * The insight meta-learner's checkpoint format: its format version, the last round, the clients' consensus
 * weights, every domain's window of insights (field by field) and the latest parameters per domain.
 * {@link #read} checks everything and builds a new {@link State}, so that a refused checkpoint changes
 * nothing.
 */
final class InsightCheckpoint {
    /** Format of the state; bump when it changes. 2 left the options out. */
    static final int STATE_VERSION = 2;
    private static final String COMPONENT = "insight meta-learner";

    private InsightCheckpoint() {
    }

    /** What a checkpoint holds. */
    record State(int lastRound, Map<String, Double> trust, Map<String, ArrayDeque<Insight>> windows,
                 Map<String, MetaParameters> latest) {
    }

    static void write(StateWriter out, int lastRound, Map<String, Double> trust, Map<String, ArrayDeque<Insight>> windows,
                      Collection<MetaParameters> latest) throws IOException {
        out.writeVersion(STATE_VERSION);
        out.writeInt(lastRound);
        out.writeDoubleMap(trust);
        out.writeInt(windows.size());
        for (Map.Entry<String, ArrayDeque<Insight>> e : windows.entrySet()) {
            out.writeString(e.getKey());
            out.writeInt(e.getValue().size());
            for (Insight insight : e.getValue()) {
                writeInsight(out, insight);
            }
        }
        out.writeInt(latest.size());
        for (MetaParameters p : latest) {
            writeParameters(out, p);
        }
    }

    /** Reads what {@link #write} wrote; a window may hold at most {@code window} insights. */
    static State read(StateReader in, int window) throws IOException {
        in.readVersion(COMPONENT, STATE_VERSION);
        int round = in.readInt();
        if (round < 0) {
            throw new IOException(COMPONENT + " checkpoint: negative round " + round);
        }
        Map<String, Double> weights = in.readDoubleMap();
        Map<String, ArrayDeque<Insight>> restored = new TreeMap<>();
        int domains = count(in.readInt(), "domains");
        for (int d = 0; d < domains; d++) {
            String domain = requireString(in.readString(), "domain name");
            int size = count(in.readInt(), "insights of domain '" + domain + "'");
            if (size > window) {
                throw new IOException(COMPONENT + " checkpoint: window of domain '" + domain + "' holds " + size
                        + " insights, more than window = " + window);
            }
            ArrayDeque<Insight> insights = new ArrayDeque<>(size);
            for (int i = 0; i < size; i++) {
                insights.addLast(readInsight(in));
            }
            restored.put(domain, insights);
        }
        Map<String, MetaParameters> parameters = new TreeMap<>();
        int known = count(in.readInt(), "parameters");
        for (int i = 0; i < known; i++) {
            MetaParameters p = readParameters(in);
            parameters.put(p.domain(), p);
        }
        return new State(round, weights, restored, parameters);
    }

    private static int count(int n, String what) throws IOException {
        if (n < 0) {
            throw new IOException(COMPONENT + " checkpoint: negative number of " + what + ": " + n);
        }
        return n;
    }

    private static String requireString(String s, String what) throws IOException {
        if (s == null) {
            throw new IOException(COMPONENT + " checkpoint: missing " + what);
        }
        return s;
    }

    private static void writeInsight(StateWriter out, Insight insight) throws IOException {
        out.writeString(insight.client());
        out.writeString(insight.domain());
        out.writeInt(insight.round());
        out.writeLong(insight.samples());
        out.writeDouble(insight.accuracy());
        out.writeDouble(insight.loss());
        out.writeInt(insight.experts().size());
        for (ExpertReport r : insight.experts().values()) {
            out.writeString(r.expert());
            out.writeString(r.plugin());
            out.writeDouble(r.loss());
            out.writeLong(r.samples());
            out.writeLong(r.activations());
            out.writeDouble(r.learningRate());
            out.writeDoubleMap(r.signals());
        }
        out.writeDoubleMap(insight.signals());
        writeMoments(out, insight.moments());
    }

    private static Insight readInsight(StateReader in) throws IOException {
        String client = requireString(in.readString(), "client id");
        String domain = requireString(in.readString(), "insight domain");
        int round = in.readInt();
        long samples = in.readLong();
        double accuracy = in.readDouble();
        double loss = in.readDouble();
        int n = count(in.readInt(), "expert reports");
        Map<String, ExpertReport> experts = new LinkedHashMap<>();
        for (int i = 0; i < n; i++) {
            String expert = requireString(in.readString(), "expert name");
            String plugin = requireString(in.readString(), "plugin name");
            double rLoss = in.readDouble();
            long rSamples = in.readLong();
            long activations = in.readLong();
            double rate = in.readDouble();
            Map<String, Double> signals = in.readDoubleMap();
            experts.put(expert, new ExpertReport(expert, plugin, rLoss, rSamples, activations, rate, signals));
        }
        Map<String, Double> signals = in.readDoubleMap();
        FeatureMoments moments = readMoments(in);
        return new Insight(client, domain, round, samples, accuracy, loss, experts, signals, moments);
    }

    private static void writeParameters(StateWriter out, MetaParameters p) throws IOException {
        out.writeString(p.domain());
        out.writeInt(p.round());
        out.writeDoubleMap(p.learningRates());
        out.writeDoubleMap(p.routerPriors());
        writeMoments(out, p.normalisation());
        out.writeDoubleMap(p.values());
    }

    private static MetaParameters readParameters(StateReader in) throws IOException {
        String domain = requireString(in.readString(), "parameters' domain");
        int round = in.readInt();
        Map<String, Double> rates = in.readDoubleMap();
        Map<String, Double> priors = in.readDoubleMap();
        FeatureMoments moments = readMoments(in);
        Map<String, Double> values = in.readDoubleMap();
        return new MetaParameters(domain, round, rates, priors, moments, values);
    }

    private static void writeMoments(StateWriter out, FeatureMoments m) throws IOException {
        out.writeLong(m.count());
        out.writeDoubles(m.mean());
        out.writeDoubles(m.m2());
    }

    private static FeatureMoments readMoments(StateReader in) throws IOException {
        long count = in.readLong();
        double[] mean = in.readDoubles();
        if (mean == null) {
            throw new IOException(COMPONENT + " checkpoint: feature moments without means");
        }
        double[] m2 = in.readDoubles(mean.length, "feature moments' m2");
        if (count < 0) {
            throw new IOException(COMPONENT + " checkpoint: negative moment count " + count);
        }
        return new FeatureMoments(count, mean, m2);
    }
}
