package io.scarcity.plugins.thompson;

import io.scarcity.api.BanditArms;
import io.scarcity.api.Checkpointable;
import io.scarcity.api.MetricsSink;
import io.scarcity.api.Router;
import io.scarcity.api.Routers;
import io.scarcity.api.Routing;
import io.scarcity.api.RoutingContext;
import io.scarcity.api.RoutingFeatures;
import io.scarcity.api.StateReader;
import io.scarcity.api.StateWriter;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;

/**
 * Thompson sampling over the candidate experts: on each batch it draws {@code theta_i} from every
 * candidate's posterior over its mean reward and activates the {@code k} largest draws (ties to the
 * earlier candidate). Each expert's evidence is its (discounted) pull count {@code n_i} and reward sum
 * {@code s_i}; a reward {@code r} in [0, 1] adds 1 to {@code n_i} and {@code r} to {@code s_i}.
 * <ul>
 *   <li>{@code posterior: beta} (default): {@code theta_i ~ Beta(1 + s_i, 1 + n_i - s_i)}, i.e. prior
 *       Beta(1, 1) and the fractional update {@code alpha += r, beta += 1 - r}. This is the expectation of
 *       the Bernoulli trick of Agrawal and Goyal (which draws a Bernoulli(r) per reward); it is chosen
 *       because it is deterministic given the rewards and loses no information on fractional rewards.</li>
 *   <li>{@code posterior: gaussian}: rewards taken as Normal with known variance {@code noise} and a
 *       N(0.5, 1) prior on the mean, so the posterior is Normal with precision
 *       {@code 1 + n_i / noise} and mean {@code (0.5 + s_i / noise) / (1 + n_i / noise)}.</li>
 * </ul>
 * Mixture weights: {@code uniform}, or {@code reward} (default): the posterior means, floored at
 * {@value #WEIGHT_FLOOR}, normalised.
 *
 * <p>Forgetting: with {@code discount < 1} every {@code n_i} and {@code s_i} (in every cluster) is
 * multiplied by the discount on each route, which shrinks the evidence part of the posterior
 * ({@code alpha - 1}, {@code beta - 1}, or the precision above the prior's) towards the prior, so the
 * router follows a drifting best expert with a memory of about {@code 1 / (1 - discount)} routes.
 *
 * <p>Context clusters: with {@code clusters = c > 1} the batch's {@link RoutingFeatures} vector is
 * assigned to the nearest (Euclidean; ties to the lower index) of {@code c} centroids learned by online
 * k-means: the first {@code c} distinct context vectors seed the centroids, after which the nearest one
 * moves by {@code clusterRate * (x - centroid)}. Each cluster keeps its own posteriors per expert, and
 * the rewards of a routing update the cluster it was routed in.
 *
 * <p>Priors from the coordinator: a prior mean {@code p} with weight {@code w} sets an expert's evidence
 * to {@code n = w, s = w p} (Beta(1 + w p, 1 + w (1 - p)), or {@code w} Gaussian observations at
 * {@code p}), replacing an earlier prior, in every cluster where this client has not rewarded the expert
 * itself. Experts may join or leave the candidates between calls; a new one starts at the prior and the
 * posteriors of one that leaves are kept in case it returns.
 *
 * <p>Metrics: {@code thompson.explorations} counts activations that the greedy choice (highest posterior
 * mean) would not have made; with {@code c > 1}, {@code thompson.cluster.<i>} counts the routings in
 * cluster {@code i}.
 *
 * <p>Checkpoints hold the format version (not the options: the runtime resumes only under the same config),
 * the random generator, per cluster every expert
 * ever seen with its {@code n}, {@code s} and whether this client rewarded it ({@link BanditArms}), the centroids, the
 * cluster of the last routing and the routing features' running statistics.
 *
 * <p>When to use it: like {@code ucb} on stationary or slowly drifting experts, but randomised, so it
 * explores less on clearly bad experts and copes with delayed or batched feedback; use
 * {@code clusters > 1} when different experts win in recognisably different conditions (drift, outliers,
 * novel batches).
 */
final class ThompsonRouter implements Router, Checkpointable {
    /** Version of the checkpoint format written by {@link #saveState}; 2 left the options out. */
    static final int STATE_VERSION = 2;

    /** Least posterior mean counted by reward weighting, so that no active expert gets weight zero. */
    static final double WEIGHT_FLOOR = 0.01;

    /** Mean of the Gaussian posterior's prior. */
    static final double GAUSSIAN_PRIOR_MEAN = 0.5;

    /** Variance of the Gaussian posterior's prior. */
    static final double GAUSSIAN_PRIOR_VARIANCE = 1.0;

    private static final String COMPONENT = "thompson router";

    private final Options options;
    private final MetricsSink metrics;
    /** One table of arms per cluster; replaced on restore. */
    private final List<BanditArms> clusterArms;
    private final double[][] centroids;
    /** Null with one cluster: the context is not needed. Replaced on restore. */
    private RoutingFeatures features;
    private Random random;
    private int seeded;
    private int lastCluster;

    ThompsonRouter(Options options, Random random, MetricsSink metrics) {
        this.options = Objects.requireNonNull(options, "options is null");
        this.random = Objects.requireNonNull(random, "random is null");
        this.metrics = Objects.requireNonNull(metrics, "metrics is null");
        this.clusterArms = new ArrayList<>(options.clusters());
        for (int i = 0; i < options.clusters(); i++) {
            clusterArms.add(new BanditArms());
        }
        this.centroids = new double[options.clusters()][RoutingFeatures.SIZE];
        this.features = options.clusters() > 1 ? new RoutingFeatures() : null;
    }

    @Override
    public Routing route(RoutingContext context) {
        List<String> candidates = Routers.distinctCandidates(context);
        int cluster = 0;
        if (features != null) {
            cluster = assign(features.extract(context));
            metrics.count("thompson.cluster." + cluster, 1);
        }
        lastCluster = cluster;
        for (BanditArms arms : clusterArms) {
            arms.discount(options.discount());
        }
        BanditArms arms = clusterArms.get(cluster);
        int n = candidates.size();
        double[] theta = new double[n];
        double[] mean = new double[n];
        for (int i = 0; i < n; i++) {
            BanditArms.Arm arm = arms.arm(candidates.get(i));
            mean[i] = posteriorMean(arm.pulls(), arm.rewardSum());
            theta[i] = sample(arm.pulls(), arm.rewardSum());
        }
        int k = Math.min(options.k(), n);
        boolean[] chosen = Routers.topKMask(theta, k);
        boolean[] greedy = Routers.topKMask(mean, k);
        long explorations = Routers.explorations(chosen, greedy);
        if (explorations > 0) {
            metrics.count("thompson.explorations", explorations);
        }
        return Routers.weighted(candidates, chosen,
                i -> options.weighting() == Options.Weighting.UNIFORM ? 1.0 : Math.max(WEIGHT_FLOOR, mean[i]));
    }

    /** The cluster of a context vector; seeds or moves a centroid. */
    private int assign(double[] x) {
        if (seeded < centroids.length) {
            for (int i = 0; i < seeded; i++) {
                if (Arrays.equals(centroids[i], x)) {
                    return i;
                }
            }
            centroids[seeded] = x.clone();
            return seeded++;
        }
        int best = 0;
        double bestDistance = Double.POSITIVE_INFINITY;
        for (int i = 0; i < centroids.length; i++) {
            double d = 0;
            for (int j = 0; j < x.length; j++) {
                double e = x[j] - centroids[i][j];
                d += e * e;
            }
            if (d < bestDistance) {
                bestDistance = d;
                best = i;
            }
        }
        double[] c = centroids[best];
        for (int j = 0; j < x.length; j++) {
            c[j] += options.clusterRate() * (x[j] - c[j]);
        }
        return best;
    }

    /** The posterior mean of an arm with reward count {@code pulls} and reward sum {@code rewardSum}. */
    private double posteriorMean(double pulls, double rewardSum) {
        if (options.posterior() == Options.Posterior.BETA) {
            return (1 + rewardSum) / (2 + pulls);
        }
        double precision = 1 / GAUSSIAN_PRIOR_VARIANCE + pulls / options.noise();
        return (GAUSSIAN_PRIOR_MEAN / GAUSSIAN_PRIOR_VARIANCE + rewardSum / options.noise()) / precision;
    }

    private double sample(double pulls, double rewardSum) {
        if (options.posterior() == Options.Posterior.BETA) {
            // Clamped so that rounding in a discounted sum never gives a shape below the prior's.
            double alpha = 1 + Math.max(0.0, rewardSum);
            double beta = 1 + Math.max(0.0, pulls - rewardSum);
            double x = gamma(alpha);
            double y = gamma(beta);
            return x + y > 0 ? x / (x + y) : 0.5;
        }
        double precision = 1 / GAUSSIAN_PRIOR_VARIANCE + pulls / options.noise();
        return posteriorMean(pulls, rewardSum) + random.nextGaussian() / Math.sqrt(precision);
    }

    /** A Gamma(shape, 1) draw: Marsaglia and Tsang's method, boosted for shapes below 1. */
    private double gamma(double shape) {
        if (shape < 1) {
            return gamma(shape + 1) * Math.pow(random.nextDouble(), 1 / shape);
        }
        double d = shape - 1.0 / 3;
        double c = 1 / Math.sqrt(9 * d);
        while (true) {
            double x;
            double v;
            do {
                x = random.nextGaussian();
                v = 1 + c * x;
            } while (v <= 0);
            v = v * v * v;
            double u = random.nextDouble();
            double x2 = x * x;
            if (u < 1 - 0.0331 * x2 * x2 || Math.log(u) < 0.5 * x2 + d * (1 - v + Math.log(v))) {
                return d * v;
            }
        }
    }


    /** Updates the posteriors of the cluster the last routing was made in; an empty map changes nothing. */
    @Override
    public void reward(Routing routing, Map<String, Double> rewards) {
        clusterArms.get(lastCluster).reward(routing, rewards);
    }

    /**
     * Sets each named expert, in every cluster where this client has not rewarded it, to {@code weight}
     * pseudo-rewards with mean {@code prior} (clamped to [0, 1]), replacing an earlier prior. A weight of
     * 0 (or a non-finite one) changes nothing.
     */
    @Override
    public void adoptPriors(Map<String, Double> priors, double weight) {
        Objects.requireNonNull(priors, "priors is null");
        for (BanditArms arms : clusterArms) {
            arms.adoptPriors(priors, weight);
        }
    }

    @Override
    public void saveState(StateWriter out) throws IOException {
        out.writeVersion(STATE_VERSION);
        out.writeRandom(random);
        out.writeInt(seeded);
        out.writeInt(lastCluster);
        for (int c = 0; c < options.clusters(); c++) {
            out.writeDoubles(centroids[c]);
            clusterArms.get(c).save(out);
        }
        if (features != null) {
            features.save(out);
        }
    }

    @Override
    public void restoreState(StateReader in) throws IOException {
        in.readVersion(COMPONENT, STATE_VERSION);
        Random restoredRandom = in.readRandom();
        int restoredSeeded = in.readInt();
        int restoredLast = in.readInt();
        if (restoredSeeded < 0 || restoredSeeded > options.clusters() || restoredLast < 0
                || restoredLast >= options.clusters()) {
            throw new IOException(COMPONENT + ": corrupt checkpoint, " + restoredSeeded + " seeded clusters, last cluster "
                    + restoredLast + " of " + options.clusters());
        }
        double[][] restoredCentroids = new double[options.clusters()][];
        List<BanditArms> restoredArms = new ArrayList<>(options.clusters());
        for (int c = 0; c < options.clusters(); c++) {
            restoredCentroids[c] = in.readDoubles(RoutingFeatures.SIZE, COMPONENT + " centroid " + c);
            restoredArms.add(BanditArms.read(in, COMPONENT, " in cluster " + c));
        }
        RoutingFeatures restoredFeatures = null;
        if (features != null) {
            restoredFeatures = new RoutingFeatures();
            restoredFeatures.restore(in);
        }
        // Only replaced once everything was read, so that a failed restore leaves the router as it was.
        random = restoredRandom;
        seeded = restoredSeeded;
        lastCluster = restoredLast;
        for (int c = 0; c < options.clusters(); c++) {
            centroids[c] = restoredCentroids[c];
            clusterArms.set(c, restoredArms.get(c));
        }
        features = restoredFeatures;
    }

    /** Effective number of rewards of an expert in a cluster (pseudo-rewards included), 0 if unknown. */
    double pulls(int cluster, String expert) {
        return clusterArms.get(cluster).pulls(expert);
    }

    /** Posterior mean reward of an expert in a cluster (the prior's mean if unknown). */
    double mean(int cluster, String expert) {
        BanditArms.Arm arm = clusterArms.get(cluster).find(expert);
        return arm == null ? posteriorMean(0.0, 0.0) : posteriorMean(arm.pulls(), arm.rewardSum());
    }

    /** Cluster of the last routing. */
    int lastCluster() {
        return lastCluster;
    }
}
