package io.scarcity.api.testing;

import static org.junit.jupiter.api.Assertions.assertThrows;

import io.scarcity.api.Checkpointable;
import io.scarcity.api.PluginConfig;
import io.scarcity.api.PluginContext;
import io.scarcity.api.PluginFactory;
import io.scarcity.api.StateReader;
import io.scarcity.api.StateWriter;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The kit's own contract checks fail on plugins that break them, not only pass on plugins that keep them. */
class PluginTestKitTest {
    /** A toy learner: a running mean plus noise from its own generator; {@code savesRandom} decides whether its checkpoint is whole. */
    static class Toy implements Checkpointable {
        final boolean savesRandom;
        Random random = new Random(42);
        double mean;
        long n;

        Toy(boolean savesRandom) {
            this.savesRandom = savesRandom;
        }

        double step(double x) {
            n++;
            mean += (x - mean) / n;
            return mean + random.nextGaussian();
        }

        @Override
        public void saveState(StateWriter out) throws IOException {
            out.writeVersion(1);
            out.writeDouble(mean);
            out.writeLong(n);
            if (savesRandom) {
                out.writeRandom(random);
            }
        }

        @Override
        public void restoreState(StateReader in) throws IOException {
            in.readVersion("toy", 1);
            mean = in.readDouble();
            n = in.readLong();
            if (savesRandom) {
                random = in.readRandom();
            }
        }
    }

    static final PluginTestKit.Driver<Toy> DRIVER = (toy, random, from, steps) -> {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < steps; i++) {
            out.add(PluginTestKit.fingerprint(toy.step(random.nextDouble())));
        }
        return out;
    };

    @Test
    void aWholeCheckpointPassesTheRoundTrip() throws IOException {
        PluginTestKit.assertRoundTrip(() -> new Toy(true), DRIVER, 1, 10, 10);
        PluginTestKit.assertDeterministic(() -> new Toy(true), DRIVER, 1, 10);
        PluginTestKit.assertUnknownVersionRefused(() -> new Toy(true), "toy");
    }

    @Test
    void aCheckpointThatForgetsTheRandomGeneratorFailsTheRoundTrip() {
        assertThrows(AssertionError.class, () -> PluginTestKit.assertRoundTrip(() -> new Toy(false), DRIVER, 1, 10, 10));
    }

    @Test
    void aPluginThatDoesNotReadItsVersionFailsTheVersionCheck() {
        Toy careless = new Toy(true) {
            @Override
            public void restoreState(StateReader in) throws IOException {
                in.readInt();
                mean = in.readDouble();
                n = in.readLong();
                random = in.readRandom();
            }
        };
        assertThrows(AssertionError.class, () -> PluginTestKit.assertUnknownVersionRefused(() -> careless, "toy"));
    }

    /** A toy whose restore reads everything before it changes anything, so that a refused checkpoint changes nothing. */
    static final class CarefulToy extends Toy {
        CarefulToy() {
            super(true);
        }

        @Override
        public void restoreState(StateReader in) throws IOException {
            in.readVersion("toy", 1);
            double m = in.readDouble();
            long count = in.readLong();
            Random g = in.readRandom();
            mean = m;
            n = count;
            random = g;
        }
    }

    @Test
    void aRestoreThatChangesTheToyAsItReadsFailsTheTruncationCheck() throws IOException {
        PluginTestKit.assertTruncationsRefused(CarefulToy::new, DRIVER, 1, 10);
        // Toy assigns the mean before it reads the rest: a checkpoint cut after the mean changes it.
        assertThrows(AssertionError.class, () -> PluginTestKit.assertTruncationsRefused(() -> new Toy(true), DRIVER, 1, 10));
    }

    /** A toy factory whose one option, {@code rate}, must be in (0, 1]; {@code vague} refuses without saying so, {@code greedy} reads every key. */
    record ToyFactory(boolean vague, boolean greedy) implements PluginFactory<Object> {
        @Override
        public String name() {
            return "toy";
        }

        @Override
        public Object create(PluginConfig config, PluginContext context) {
            if (greedy) {
                config.keys().forEach(key -> config.getString(key, ""));
            }
            double rate = config.getDouble("rate", 0.5);
            if (!(rate > 0 && rate <= 1)) {
                throw config.invalid("rate", vague ? "bad value" : "must be in (0, 1], got " + rate);
            }
            return rate;
        }
    }

    @Test
    void aRefusalThatDoesNotSayTheRuleFailsTheBadOptionCheck() {
        PluginContext context = PluginTestKit.context(1, null, "toy");
        PluginTestKit.assertBadOptionsRefused(new ToyFactory(false, false), context,
                PluginTestKit.badSaying("must be in (0, 1]", "rate", 0.0, 1.5));
        PluginTestKit.assertBadOptionsRefused(new ToyFactory(true, false), context, PluginTestKit.bad("rate", 0.0, 1.5));
        assertThrows(AssertionError.class, () -> PluginTestKit.assertBadOptionsRefused(new ToyFactory(true, false), context,
                List.of(PluginTestKit.bad("rate", 0.0).saying("must be in (0, 1]"))));
    }

    @Test
    void aFactoryThatReadsAnUnknownOptionFailsTheUnreadCheck() {
        PluginContext context = PluginTestKit.context(1, null, "toy");
        PluginTestKit.assertUnknownOptionLeftUnread(new ToyFactory(false, false), context, "rtae", 0.2);
        assertThrows(AssertionError.class,
                () -> PluginTestKit.assertUnknownOptionLeftUnread(new ToyFactory(false, true), context, "rtae", 0.2));
    }
}
