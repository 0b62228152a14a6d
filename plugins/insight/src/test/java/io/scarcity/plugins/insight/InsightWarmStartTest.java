package io.scarcity.plugins.insight;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scarcity.api.ExpertState;
import io.scarcity.api.MergeLaw;
import io.scarcity.api.MetaLearner;
import io.scarcity.api.PluginConfig;
import io.scarcity.api.testing.PluginTestKit;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class InsightWarmStartTest {
    private static MetaLearner learner(boolean warmStart) {
        return new InsightMetaLearnerFactory().create(PluginConfig.of("metaLearner.config", Map.of("warmStart", warmStart)),
                PluginTestKit.context(1, null, "insight"));
    }

    private static ExpertState state(double mean, long samples) {
        return new ExpertState("statistical", Map.of("mean", new double[] {mean, 2 * mean}), samples);
    }

    @Test
    void offByDefaultNothingIsKeptOrGiven() {
        MetaLearner m = new InsightMetaLearnerFactory().create(PluginConfig.empty(), PluginTestKit.context(1, null, "insight"));
        assertFalse(m.warmStartsFromStates());
        m.receiveStates(1, "a", "d", Map.of("stat", state(1, 10)));
        assertEquals(Map.of(), m.statesFor("d"));
        assertFalse(m.sharesWeights(), "a warm start is not weight sharing");
    }

    @Test
    void aJoiningClientGetsTheLatestStatesMergedByThePluginsLaw() {
        MetaLearner m = learner(true);
        assertTrue(m.warmStartsFromStates());
        assertFalse(m.sharesWeights());
        m.receiveStates(1, "a", "d", Map.of("stat", state(1, 10)));
        m.receiveStates(1, "b", "d", Map.of("stat", state(4, 30)));
        m.receiveStates(2, "a", "d", Map.of("stat", state(2, 10)));     // a's latest replaces its first
        m.receiveStates(2, "c", "other", Map.of("stat", state(100, 5))); // another domain stays apart
        assertArrayEquals(new double[] {3.5, 7.0}, m.statesFor("d").get("stat").weight("mean"), 1e-12,
                "sample-weighted mean of the latest states");
        // a plugin's own law replaces the mean
        m.useMergeLaws(Map.of("statistical", (states, weights) -> states.get(states.size() - 1)));
        assertArrayEquals(new double[] {4, 8}, m.statesFor("d").get("stat").weight("mean"), 0);
        assertEquals(Map.of(), m.statesFor("unknown"));
        assertEquals(List.of("stat"), List.copyOf(m.statesFor("other").keySet()));
        assertEquals(MergeLaw.MEAN.merge(List.of(state(100, 5)), new double[] {5}).weight("mean")[0],
                m.statesFor("other").get("stat").weight("mean")[0]);
    }

    /** A client whose state has other arrays (e.g. estimates it has not started yet) is left out, not the expert. */
    @Test
    void statesOfOtherShapesAreLeftOutNotTheExpert() {
        MetaLearner m = learner(true);
        m.receiveStates(1, "a", "d", Map.of("stat", state(1, 10)));
        m.receiveStates(1, "b", "d", Map.of("stat", state(3, 10)));
        m.receiveStates(1, "young", "d", Map.of("stat", new ExpertState("statistical", Map.of("mean", new double[] {50, 50},
                "median", new double[] {1}), 2)));
        assertArrayEquals(new double[] {2, 4}, m.statesFor("d").get("stat").weight("mean"), 1e-12);
    }
}
