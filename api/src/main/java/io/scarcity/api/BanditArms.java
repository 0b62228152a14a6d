package io.scarcity.api;

import java.io.IOException;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.function.ObjDoubleConsumer;

/**
 * The evidence a bandit {@link Router} keeps per expert (its "arms"): for every expert ever seen, a
 * reward count {@code n}, a reward sum {@code s} and whether this client rewarded it itself. A reward
 * {@code r} in [0, 1] adds 1 to {@code n} and {@code r} to {@code s}; discounting multiplies both by a
 * factor, so that old evidence fades; a coordinator's prior with weight {@code w} and mean {@code p} sets
 * {@code n = w, s = w p}, but only for experts this client has not rewarded (its own evidence is never
 * replaced). What a router makes of {@code n} and {@code s} (a mean, a confidence bound, a posterior) is
 * its own business; the arithmetic here is fixed, so that routers sharing it stay bit for bit as they were.
 *
 * <p>Experts may join or leave a router's candidates: an arm is created the first time an expert is
 * routed, rewarded or given a prior, and is kept when the expert leaves, in case it returns.
 *
 * <p>Checkpoints ({@link #save}, {@link #read}): the number of arms, then per arm in name order (so that
 * equal tables write equal bytes whatever their history) its name, {@code n}, {@code s} and whether this
 * client rewarded it, followed by whatever the router keeps per arm besides (e.g. a LinUCB model).
 *
 * <p>One instance per router (or per context cluster), used from one thread.
 */
public final class BanditArms {
    /** One expert's evidence: its reward count, reward sum and whether this client rewarded it. */
    public static final class Arm {
        private double pulls;
        private double rewardSum;
        private boolean rewardedHere;

        private Arm() {
        }

        /** The (discounted) number of rewards {@code n}, pseudo-rewards of a prior included. */
        public double pulls() {
            return pulls;
        }

        /** The (discounted) sum of rewards {@code s}, pseudo-rewards of a prior included. */
        public double rewardSum() {
            return rewardSum;
        }

        /** Whether this client rewarded the expert itself (then priors no longer replace its evidence). */
        public boolean rewardedHere() {
            return rewardedHere;
        }

        /** Whether there is any evidence yet: {@code n > 0}. */
        public boolean tried() {
            return pulls > 0;
        }

        /** The empirical mean reward {@code s / n}, or 0 while {@code n} is 0. */
        public double mean() {
            return pulls > 0 ? rewardSum / pulls : 0.0;
        }
    }

    /** Writes what a router keeps per arm besides the evidence, right after the arm's evidence. */
    @FunctionalInterface
    public interface ExtraWriter {
        void write(String expert, StateWriter out) throws IOException;
    }

    /** Reads back what an {@link ExtraWriter} wrote for one arm. */
    @FunctionalInterface
    public interface ExtraReader {
        void read(String expert, StateReader in) throws IOException;
    }

    private final Map<String, Arm> arms = new HashMap<>();

    /** The arm of {@code expert}, created without evidence if it has none yet. */
    public Arm arm(String expert) {
        Objects.requireNonNull(expert, "expert is null");
        return arms.computeIfAbsent(expert, x -> new Arm());
    }

    /** The arm of {@code expert}, or {@code null} if it has never been seen (nothing is created). */
    public Arm find(String expert) {
        return arms.get(expert);
    }

    /** The reward count {@code n} of {@code expert}, 0 if it has never been seen. */
    public double pulls(String expert) {
        Arm arm = arms.get(expert);
        return arm == null ? 0.0 : arm.pulls;
    }

    /** The empirical mean reward of {@code expert}, 0 if it has never been seen or has no evidence. */
    public double mean(String expert) {
        Arm arm = arms.get(expert);
        return arm == null ? 0.0 : arm.mean();
    }

    /** The number of experts ever seen. */
    public int size() {
        return arms.size();
    }

    /**
     * Multiplies every arm's {@code n} and {@code s} by {@code factor} (routers do it once per route); a
     * factor of 1 changes nothing.
     *
     * @param factor in (0, 1]
     */
    public void discount(double factor) {
        if (!(factor > 0 && factor <= 1)) {
            throw new IllegalArgumentException("discount factor must be in (0, 1], got " + factor);
        }
        if (factor < 1) {
            for (Arm arm : arms.values()) {
                arm.pulls *= factor;
                arm.rewardSum *= factor;
            }
        }
    }

    /**
     * Adds one reward to {@code expert}'s arm (created if new): {@code n += 1}, {@code s += reward}, and
     * marks it as rewarded here.
     *
     * @param reward in [0, 1] (see {@link Routers#unitReward})
     * @return the arm
     */
    public Arm reward(String expert, double reward) {
        if (!(reward >= 0 && reward <= 1)) {
            throw new IllegalArgumentException("a reward must be in [0, 1], got " + reward);
        }
        Arm arm = arm(expert);
        arm.pulls += 1;
        arm.rewardSum += reward;
        arm.rewardedHere = true;
        return arm;
    }

    /**
     * What {@link Router#reward} does with the evidence: each active expert of {@code routing}, in order,
     * with a usable reward ({@link Routers#unitReward}: clamped to [0, 1]; missing or non-finite ones are
     * skipped) is {@link #reward(String, double) rewarded}.
     */
    public void reward(Routing routing, Map<String, Double> rewards) {
        reward(routing, rewards, (expert, reward) -> { });
    }

    /**
     * As {@link #reward(Routing, Map)}, and then tells {@code also} each expert rewarded and its clamped
     * reward, for what the router keeps per arm besides (e.g. a model of the reward in context).
     */
    public void reward(Routing routing, Map<String, Double> rewards, ObjDoubleConsumer<String> also) {
        Objects.requireNonNull(routing, "routing is null");
        Objects.requireNonNull(rewards, "rewards is null");
        Objects.requireNonNull(also, "also is null");
        for (String expert : routing.active()) {
            double r = Routers.unitReward(rewards.get(expert));
            if (Double.isNaN(r)) {
                continue;
            }
            reward(expert, r);
            also.accept(expert, r);
        }
    }

    /**
     * Sets {@code expert}'s arm (created if new) to {@code weight} pseudo-rewards of mean {@code mean},
     * {@code n = weight, s = weight * mean}, replacing an earlier prior, unless this client rewarded the
     * expert itself.
     *
     * @param weight positive and finite ({@link Routers#isPriorWeight})
     * @param mean in [0, 1]
     * @return whether the prior was set
     */
    public boolean adoptPrior(String expert, double weight, double mean) {
        if (!Routers.isPriorWeight(weight)) {
            throw new IllegalArgumentException("a prior's weight must be finite and > 0, got " + weight);
        }
        if (!(mean >= 0 && mean <= 1)) {
            throw new IllegalArgumentException("a prior's mean must be in [0, 1], got " + mean);
        }
        Arm arm = arm(expert);
        if (arm.rewardedHere) {
            return false;
        }
        arm.pulls = weight;
        arm.rewardSum = weight * mean;
        return true;
    }

    /**
     * What {@link Router#adoptPriors} does with the evidence: each prior, in the map's order, clamped to
     * [0, 1] ({@link Routers#unitReward}; missing or non-finite ones are skipped), is
     * {@link #adoptPrior adopted}; a weight that carries no evidence ({@link Routers#isPriorWeight}: 0, or
     * not finite) changes nothing.
     */
    public void adoptPriors(Map<String, Double> priors, double weight) {
        adoptPriors(priors, weight, (expert, mean) -> { });
    }

    /**
     * As {@link #adoptPriors(Map, double)}, and then tells {@code also} each expert whose prior was set and
     * the prior's clamped mean.
     */
    public void adoptPriors(Map<String, Double> priors, double weight, ObjDoubleConsumer<String> also) {
        Objects.requireNonNull(priors, "priors is null");
        Objects.requireNonNull(also, "also is null");
        if (!Routers.isPriorWeight(weight)) {
            return;
        }
        for (Map.Entry<String, Double> e : priors.entrySet()) {
            double p = Routers.unitReward(e.getValue());
            if (Double.isNaN(p)) {
                continue;
            }
            if (adoptPrior(e.getKey(), weight, p)) {
                also.accept(e.getKey(), p);
            }
        }
    }

    /** Writes every arm (see the class description). */
    public void save(StateWriter out) throws IOException {
        save(out, (expert, o) -> { });
    }

    /** Writes every arm, each followed by what {@code extra} writes for it. */
    public void save(StateWriter out, ExtraWriter extra) throws IOException {
        Objects.requireNonNull(out, "out is null");
        Objects.requireNonNull(extra, "extra is null");
        Map<String, Arm> sorted = new TreeMap<>(arms);
        out.writeInt(sorted.size());
        for (Map.Entry<String, Arm> e : sorted.entrySet()) {
            out.writeString(e.getKey());
            out.writeDouble(e.getValue().pulls);
            out.writeDouble(e.getValue().rewardSum);
            out.writeBoolean(e.getValue().rewardedHere);
            extra.write(e.getKey(), out);
        }
    }

    /** Reads a table written by {@link #save(StateWriter)}; see {@link #read(StateReader, String, String, ExtraReader)}. */
    public static BanditArms read(StateReader in, String component, String where) throws IOException {
        return read(in, component, where, (expert, i) -> { });
    }

    /**
     * Reads a table written by {@link #save(StateWriter, ExtraWriter)} into a new instance, so that a
     * router replaces its own only once everything was read.
     *
     * @param component the router, for messages, e.g. {@code "ucb router"}
     * @param where appended to messages, e.g. {@code " in cluster 2"}, or empty
     * @param extra reads what the router wrote per arm besides, called right after each arm's evidence
     * @throws IOException naming the component if the table is corrupt: a negative or huge number of arms,
     *         an arm without a name or twice, a count or sum that is negative or not finite
     */
    public static BanditArms read(StateReader in, String component, String where, ExtraReader extra) throws IOException {
        Objects.requireNonNull(in, "in is null");
        Objects.requireNonNull(component, "component is null");
        Objects.requireNonNull(where, "where is null");
        Objects.requireNonNull(extra, "extra is null");
        int n = in.readInt();
        if (n < 0 || n > StateReader.MAX_LENGTH) {
            throw new IOException(component + ": corrupt checkpoint, " + n + " arms" + where);
        }
        BanditArms restored = new BanditArms();
        for (int i = 0; i < n; i++) {
            String name = in.readString();
            Arm arm = new Arm();
            arm.pulls = in.readDouble();
            arm.rewardSum = in.readDouble();
            arm.rewardedHere = in.readBoolean();
            extra.read(name, in);
            if (name == null || restored.arms.put(name, arm) != null) {
                throw new IOException(component + ": corrupt checkpoint, arm "
                        + (name == null ? "without a name" : "'" + name + "' twice") + where);
            }
            if (!(arm.pulls >= 0) || Double.isInfinite(arm.pulls) || !(arm.rewardSum >= 0)
                    || Double.isInfinite(arm.rewardSum)) {
                throw new IOException(component + ": corrupt checkpoint, arm '" + name + "' has " + arm.pulls
                        + " rewards summing to " + arm.rewardSum + where);
            }
        }
        return restored;
    }
}
