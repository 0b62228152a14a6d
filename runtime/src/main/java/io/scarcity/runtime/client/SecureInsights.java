package io.scarcity.runtime.client;

import io.scarcity.api.ExpertReport;
import io.scarcity.api.ExpertState;
import io.scarcity.api.FeatureMoments;
import io.scarcity.api.Insight;
import io.scarcity.runtime.secagg.SecureAggregation;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Insights as the sums secure aggregation adds up ({@code privacy.secureAggregation.insights: true}): a client's
 * numbers leave it only inside the domain's sum, and the coordinator gets one insight per domain and round whose values
 * are the means over the clients that took part.
 *
 * <p>What is summed is named by keys, each standing for a few numbers; the keys a client has come from its config only
 * (its experts, their plugins and the signals they declare they write), never from what it learned, so that the shape
 * of a client's contribution says nothing about its data:
 * <ul>
 *   <li>{@code accuracy}, {@code loss}, {@code expert/NAME/loss}, {@code expert/NAME/log-rate},
 *       {@code expert/NAME/signal/S} and {@code signal/S}: the value times the client's rows of the round and those
 *       rows, when the value is there and finite (else two zeros), so the aggregate is the row-weighted mean over the
 *       clients that had it (the learning rate as a geometric mean);</li>
 *   <li>{@code samples}, {@code expert/NAME/samples}, {@code expert/NAME/activations}: counts, summed;</li>
 *   <li>{@code client-loss}: the client's loss, its square and 1 (unweighted), so that the coordinator gets the spread
 *       of the clients' losses it watches for convergence, not the losses;</li>
 *   <li>{@code moments}: the feature moments as {@link SecureMoments} sums them;</li>
 *   <li>{@code expert/NAME/plugin/PLUGIN}: no numbers, it names the expert's plugin.</li>
 * </ul>
 * Values are in fixed point with {@link SecureMoments#FRACTION_BITS} fraction bits.
 */
public final class SecureInsights {
    /** The subject of a secure aggregation of insights, followed by {@code |}-separated keys. */
    public static final String SUBJECT = "insight";
    private static final String EXPERT = "expert/";

    private SecureInsights() {
    }

    /** One expert as its config describes it: instance name, plugin, the signals it writes. */
    public record ExpertShape(String name, String plugin, Set<String> writes) {
    }

    /**
     * The keys of a client with these experts (personal twins left out: they stay on the client) and these board
     * signals, in a fixed order, without the names no subject can hold ({@code |}).
     */
    public static List<String> keys(List<ExpertShape> experts, Set<String> boardSignals) {
        List<String> keys = new ArrayList<>(List.of("accuracy", "client-loss", "loss", "moments", "samples"));
        for (ExpertShape e : experts) {
            String p = EXPERT + e.name() + "/";
            keys.add(p + "activations");
            keys.add(p + "log-rate");
            keys.add(p + "loss");
            keys.add(p + "plugin/" + e.plugin());
            keys.add(p + "samples");
            for (String s : new java.util.TreeSet<>(e.writes())) {
                keys.add(p + "signal/" + s);
            }
        }
        for (String s : new java.util.TreeSet<>(boardSignals)) {
            keys.add("signal/" + s);
        }
        keys.removeIf(k -> k.contains("|") || k.isEmpty());
        return keys;
    }

    /** The subject naming {@code keys}. */
    public static String subject(List<String> keys) {
        return SUBJECT + "|" + String.join("|", keys);
    }

    /** Whether {@code subject} is one of insights. */
    public static boolean isSubject(String subject) {
        return subject.equals(SUBJECT) || subject.startsWith(SUBJECT + "|");
    }

    /** The keys of a {@link #subject}. */
    public static List<String> keysOf(String subject) {
        if (!isSubject(subject) || subject.length() <= SUBJECT.length() + 1) {
            return List.of();
        }
        return List.of(subject.substring(SUBJECT.length() + 1).split("\\|"));
    }

    /** The shape of a client's contribution, as an expert state of zeros (the form every shape takes on the wire). */
    public static ExpertState shape(List<String> keys, int features) {
        Map<String, double[]> arrays = new TreeMap<>();
        for (String k : keys) {
            arrays.put(k, new double[width(k, features)]);
        }
        return new ExpertState(SUBJECT, arrays, 0);
    }

    /** How many numbers a key stands for. */
    static int width(String key, int features) {
        if (key.equals("moments")) {
            return SecureMoments.length(features);
        }
        if (key.equals("client-loss")) {
            return 3;
        }
        if (key.equals("samples")) {
            return 1;
        }
        if (key.startsWith(EXPERT)) {
            String what = expertPart(key);
            if (what.equals("samples") || what.equals("activations")) {
                return 1;
            }
            if (what.startsWith("plugin/")) {
                return 0;
            }
        }
        return 2;
    }

    /** The expert instance of an {@code expert/NAME/...} key (names hold no {@code /}). */
    private static String expertName(String key) {
        String rest = key.substring(EXPERT.length());
        int slash = rest.indexOf('/');
        return slash < 0 ? rest : rest.substring(0, slash);
    }

    /** What an {@code expert/NAME/...} key names of the expert. */
    private static String expertPart(String key) {
        String rest = key.substring(EXPERT.length());
        int slash = rest.indexOf('/');
        return slash < 0 ? "" : rest.substring(slash + 1);
    }

    /** The total length of the vector for {@code keys}. */
    public static int length(List<String> keys, int features) {
        int n = 0;
        for (String k : keys) {
            n += width(k, features);
        }
        return n;
    }

    /** A client's insight as the vector it adds to the sum (its moments included); zeros for no insight. */
    public static long[] encode(Insight insight, List<String> keys, int features) {
        double[] v = new double[length(keys, features)];
        if (insight == null) {
            return SecureAggregation.encode(v, SecureMoments.FRACTION_BITS);
        }
        double rows = insight.samples();
        int at = 0;
        for (String k : keys) {
            int w = width(k, features);
            if (k.equals("moments")) {
                double[] m = SecureMoments.sums(insight.moments(), features);
                System.arraycopy(m, 0, v, at, m.length);
            } else if (k.equals("client-loss")) {
                if (Double.isFinite(insight.loss())) {
                    v[at] = insight.loss();
                    v[at + 1] = insight.loss() * insight.loss();
                    v[at + 2] = 1;
                }
            } else if (w == 1) {
                v[at] = count(insight, k);
            } else if (w == 2) {
                double x = value(insight, k);
                if (Double.isFinite(x) && rows > 0) {
                    v[at] = rows * x;
                    v[at + 1] = rows;
                }
            }
            at += w;
        }
        return SecureAggregation.encode(v, SecureMoments.FRACTION_BITS);
    }

    private static double count(Insight insight, String key) {
        if (key.equals("samples")) {
            return insight.samples();
        }
        ExpertReport r = insight.experts().get(expertName(key));
        if (r == null) {
            return 0;
        }
        return expertPart(key).equals("samples") ? r.samples() : r.activations();
    }

    private static double value(Insight insight, String key) {
        switch (key) {
            case "accuracy":
                return insight.accuracy();
            case "loss":
                return insight.loss();
            default:
                break;
        }
        if (key.startsWith("signal/")) {
            Double s = insight.signals().get(key.substring("signal/".length()));
            return s == null ? Double.NaN : s;
        }
        ExpertReport r = insight.experts().get(expertName(key));
        if (r == null) {
            return Double.NaN;
        }
        String what = expertPart(key);
        if (what.equals("loss")) {
            return r.loss();
        }
        if (what.equals("log-rate")) {
            return r.learningRate() > 0 ? Math.log(r.learningRate()) : Double.NaN;
        }
        if (what.startsWith("signal/")) {
            Double s = r.signals().get(what.substring("signal/".length()));
            return s == null ? Double.NaN : s;
        }
        return Double.NaN;
    }

    /**
     * What a client sends in the clear instead of its insight: who it is, its domain, the round and its row count (public,
     * as under {@code privacy.dp}); no value.
     */
    public static Insight cleared(Insight insight, int features) {
        return new Insight(insight.client(), insight.domain(), insight.round(), insight.samples(), Double.NaN, Double.NaN,
                Map.of(), Map.of(), new FeatureMoments(0, new double[features], new double[features]));
    }

    /**
     * The domain's aggregate: an insight of {@code client} whose values are the means (counts: the sums) over the clients
     * whose vectors were summed into {@code sum}, and the spread of their losses.
     */
    public static Aggregate decode(long[] sum, List<String> keys, String client, String domain, int round, int features) {
        double[] v = SecureAggregation.decode(sum, SecureMoments.FRACTION_BITS);
        Map<String, double[]> at = new TreeMap<>();
        int k = 0;
        for (String key : keys) {
            int w = width(key, features);
            at.put(key, java.util.Arrays.copyOfRange(v, k, k + w));
            k += w;
        }
        Map<String, String> plugins = new TreeMap<>();
        for (String key : keys) {
            if (key.startsWith(EXPERT) && expertPart(key).startsWith("plugin/")) {
                plugins.put(expertName(key), expertPart(key).substring("plugin/".length()));
            }
        }
        Map<String, ExpertReport> reports = new TreeMap<>();
        plugins.forEach((name, plugin) -> {
            String p = EXPERT + name + "/";
            Map<String, Double> signals = new TreeMap<>();
            at.forEach((key, x) -> {
                if (key.startsWith(p + "signal/") && x[1] > 0) {
                    signals.put(key.substring((p + "signal/").length()), x[0] / x[1]);
                }
            });
            double loss = mean(at.get(p + "loss"));
            double logRate = mean(at.get(p + "log-rate"));
            reports.put(name, new ExpertReport(name, plugin, Double.isNaN(loss) ? Double.NaN : Math.max(0, loss),
                    counted(at.get(p + "samples")), counted(at.get(p + "activations")),
                    Double.isNaN(logRate) ? 0 : Math.exp(logRate), signals));
        });
        Map<String, Double> signals = new TreeMap<>();
        at.forEach((key, x) -> {
            if (key.startsWith("signal/") && x[1] > 0) {
                signals.put(key.substring("signal/".length()), x[0] / x[1]);
            }
        });
        FeatureMoments moments = at.containsKey("moments") ? SecureMoments.fromSums(at.get("moments"), features)
                : new FeatureMoments(0, new double[features], new double[features]);
        double accuracy = mean(at.get("accuracy"));
        double loss = mean(at.get("loss"));
        Insight insight = new Insight(client, domain, round, counted(at.get("samples")),
                Double.isNaN(accuracy) ? Double.NaN : Math.max(0, Math.min(1, accuracy)), Double.isNaN(loss) ? Double.NaN
                : Math.max(0, loss), reports, signals, moments);
        double[] spread = at.getOrDefault("client-loss", new double[3]);
        return new Aggregate(insight, spread[0], spread[1], (int) Math.round(spread[2]));
    }

    private static double mean(double[] x) {
        return x == null || x[1] <= 0 ? Double.NaN : x[0] / x[1];
    }

    private static long counted(double[] x) {
        return x == null ? 0 : Math.max(0, Math.round(x[0]));
    }

    /**
     * A domain's aggregate insight, and the sums over its clients' losses (each client's loss, its square, how many
     * clients had one), from which the spread of the losses follows.
     */
    public record Aggregate(Insight insight, double lossSum, double lossSquares, int lossClients) {
    }
}
