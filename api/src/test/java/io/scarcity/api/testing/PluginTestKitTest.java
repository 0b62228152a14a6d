package io.scarcity.api.testing;

import static org.junit.jupiter.api.Assertions.assertThrows;

import io.scarcity.api.Checkpointable;
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
}
