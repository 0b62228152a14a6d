package io.scarcity.api;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BanditArmsTest {
    private static Routing routing(String... active) {
        double[] w = new double[active.length];
        java.util.Arrays.fill(w, 1.0 / active.length);
        return new Routing(List.of(active), w);
    }

    private static Map<String, Double> map(Object... nameValue) {
        Map<String, Double> m = new LinkedHashMap<>();
        for (int i = 0; i < nameValue.length; i += 2) {
            m.put((String) nameValue[i], (Double) nameValue[i + 1]);
        }
        return m;
    }

    private static byte[] save(BanditArms arms, BanditArms.ExtraWriter extra) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        StateWriter out = new StateWriter(bytes);
        arms.save(out, extra);
        out.flush();
        return bytes.toByteArray();
    }

    private static StateReader reader(byte[] bytes) {
        return new StateReader(new ByteArrayInputStream(bytes));
    }

    @Test
    void rewardsCountAndSumAndMeansFollow() {
        BanditArms arms = new BanditArms();
        arms.reward("a", 1.0);
        arms.reward("a", 0.5);
        arms.reward("b", 0.0);
        assertEquals(2.0, arms.pulls("a"));
        assertEquals(1.5, arms.find("a").rewardSum());
        assertEquals(0.75, arms.mean("a"));
        assertEquals(1.0, arms.pulls("b"));
        assertEquals(0.0, arms.mean("b"));
        assertTrue(arms.find("b").tried(), "a reward of 0 is still evidence");
        assertTrue(arms.find("a").rewardedHere());
        assertEquals(0.0, arms.pulls("unknown"));
        assertEquals(0.0, arms.mean("unknown"));
        assertNull(arms.find("unknown"), "asking creates nothing");
        assertEquals(2, arms.size());

        BanditArms.Arm fresh = arms.arm("c");
        assertFalse(fresh.tried());
        assertFalse(fresh.rewardedHere());
        assertEquals(0.0, fresh.mean(), "no evidence: mean 0, not NaN");
        assertEquals(3, arms.size());
        assertTrue(fresh == arms.arm("c"), "one arm per expert");
    }

    @Test
    void discountingScalesCountAndSumAndKeepsTheMean() {
        BanditArms arms = new BanditArms();
        arms.reward("a", 1.0);
        arms.reward("a", 0.0);
        arms.reward("a", 1.0);
        arms.discount(0.5);
        assertEquals(1.5, arms.pulls("a"));
        assertEquals(1.0, arms.find("a").rewardSum());
        assertEquals(2.0 / 3, arms.mean("a"), 1e-15);
        arms.reward("a", 1.0);
        assertEquals(2.5, arms.pulls("a"), "a new reward counts 1 against the faded 1.5");
        assertEquals(0.8, arms.mean("a"), 1e-15);
        double before = arms.pulls("a");
        arms.discount(1.0);
        assertEquals(before, arms.pulls("a"), "a factor of 1 changes nothing");
        // The exact arithmetic: n = (n * g) + 1, s = (s * g) + r, in this order.
        BanditArms b = new BanditArms();
        b.reward("x", 0.3);
        b.discount(0.9);
        b.reward("x", 0.7);
        assertEquals(Double.doubleToRawLongBits(1 * 0.9 + 1), Double.doubleToRawLongBits(b.pulls("x")));
        assertEquals(Double.doubleToRawLongBits(0.3 * 0.9 + 0.7), Double.doubleToRawLongBits(b.find("x").rewardSum()));
    }

    @Test
    void aRoutingsRewardsAreClampedAndUnusableOnesSkipped() {
        BanditArms arms = new BanditArms();
        List<String> told = new ArrayList<>();
        arms.reward(routing("a", "b", "c", "d", "e"), map("a", 1.5, "b", -0.25, "c", Double.NaN, "e", 0.25, "f", 1.0),
                (name, r) -> told.add(name + "=" + r));
        assertEquals(List.of("a=1.0", "b=0.0", "e=0.25"), told, "in the routing's order, clamped; c (NaN) and d (missing) "
                + "skipped, f not active");
        assertEquals(1.0, arms.mean("a"));
        assertEquals(0.0, arms.mean("b"));
        assertEquals(1.0, arms.pulls("b"));
        assertNull(arms.find("c"));
        assertNull(arms.find("d"));
        assertNull(arms.find("f"));
        assertEquals(0.25, arms.mean("e"));
    }

    @Test
    void priorsReplaceEarlierPriorsButNeverThisClientsOwnEvidence() {
        BanditArms arms = new BanditArms();
        arms.reward("mine", 1.0);
        List<String> told = new ArrayList<>();
        arms.adoptPriors(map("mine", 0.0, "new", 0.6, "high", 2.0, "bad", Double.NaN), 10, (name, p) -> told.add(name + "=" + p));
        assertEquals(List.of("new=0.6", "high=1.0"), told);
        assertEquals(1.0, arms.pulls("mine"), "rewarded here: kept");
        assertEquals(1.0, arms.mean("mine"));
        assertEquals(10.0, arms.pulls("new"));
        assertEquals(6.0, arms.find("new").rewardSum());
        assertFalse(arms.find("new").rewardedHere(), "a prior is not this client's evidence");
        assertEquals(10.0, arms.find("high").rewardSum(), "clamped to 1");
        assertNull(arms.find("bad"));

        arms.adoptPriors(map("new", 0.2), 5);
        assertEquals(5.0, arms.pulls("new"), "a later prior replaces an earlier one");
        assertEquals(0.2, arms.mean("new"), 1e-15);
        arms.reward("new", 1.0);
        arms.adoptPriors(map("new", 0.0), 100);
        assertEquals(6.0, arms.pulls("new"), "once rewarded here, priors no longer replace it");

        for (double noEvidence : new double[] {0, -1, Double.NaN, Double.POSITIVE_INFINITY}) {
            arms.adoptPriors(map("other", 0.5), noEvidence, (name, p) -> told.add("unexpected"));
            assertNull(arms.find("other"), "weight " + noEvidence + " changes nothing");
        }
        assertEquals(2, told.size());
        assertTrue(arms.adoptPrior("direct", 4, 0.25));
        assertEquals(1.0, arms.find("direct").rewardSum());
        assertFalse(arms.adoptPrior("mine", 4, 0.25));
    }

    @Test
    void badInputIsRefused() {
        BanditArms arms = new BanditArms();
        for (double g : new double[] {0, -0.5, 1.5, Double.NaN}) {
            assertThrows(IllegalArgumentException.class, () -> arms.discount(g), "discount " + g);
        }
        for (double r : new double[] {-0.1, 1.1, Double.NaN, Double.POSITIVE_INFINITY}) {
            assertThrows(IllegalArgumentException.class, () -> arms.reward("a", r), "reward " + r);
        }
        assertThrows(IllegalArgumentException.class, () -> arms.adoptPrior("a", 0, 0.5));
        assertThrows(IllegalArgumentException.class, () -> arms.adoptPrior("a", Double.POSITIVE_INFINITY, 0.5));
        assertThrows(IllegalArgumentException.class, () -> arms.adoptPrior("a", 1, 1.5));
        assertThrows(IllegalArgumentException.class, () -> arms.adoptPrior("a", 1, Double.NaN));
        assertThrows(NullPointerException.class, () -> arms.arm(null));
        assertThrows(NullPointerException.class, () -> arms.reward(null, Map.of()));
        assertThrows(NullPointerException.class, () -> arms.reward(routing("a"), null));
        assertThrows(NullPointerException.class, () -> arms.adoptPriors(null, 1));
        assertEquals(0, arms.size(), "nothing refused left an arm behind");
    }

    @Test
    void checkpointWritesArmsInNameOrderWithTheRoutersExtrasAndRestoresExactly() throws IOException {
        BanditArms arms = new BanditArms();
        arms.reward("zeta", 0.3);
        arms.discount(0.7);
        arms.adoptPriors(map("alpha", 0.1), 3);
        arms.reward("mid", 1.0);
        arms.arm("untried");
        byte[] bytes = save(arms, (name, out) -> out.writeString("extra of " + name));

        // The layout: count, then per arm in name order name, n, s, rewarded here, the router's extra.
        ByteArrayOutputStream expected = new ByteArrayOutputStream();
        StateWriter w = new StateWriter(expected);
        w.writeInt(4);
        for (String name : new String[] {"alpha", "mid", "untried", "zeta"}) {
            BanditArms.Arm arm = arms.find(name);
            w.writeString(name);
            w.writeDouble(arm.pulls());
            w.writeDouble(arm.rewardSum());
            w.writeBoolean(arm.rewardedHere());
            w.writeString("extra of " + name);
        }
        w.flush();
        assertArrayEquals(expected.toByteArray(), bytes);

        Map<String, String> extras = new HashMap<>();
        StateReader in = reader(bytes);
        BanditArms restored = BanditArms.read(in, "test router", "", (name, r) -> extras.put(name, r.readString()));
        assertEquals(Map.of("alpha", "extra of alpha", "mid", "extra of mid", "untried", "extra of untried",
                "zeta", "extra of zeta"), extras);
        assertEquals(4, restored.size());
        for (String name : new String[] {"alpha", "mid", "untried", "zeta"}) {
            assertEquals(Double.doubleToRawLongBits(arms.pulls(name)), Double.doubleToRawLongBits(restored.pulls(name)), name);
            assertEquals(Double.doubleToRawLongBits(arms.find(name).rewardSum()),
                    Double.doubleToRawLongBits(restored.find(name).rewardSum()), name);
            assertEquals(arms.find(name).rewardedHere(), restored.find(name).rewardedHere(), name);
        }
        assertArrayEquals(bytes, save(restored, (name, out) -> out.writeString("extra of " + name)));
        // ... and both go on alike: a restored "zeta" (rewarded here) keeps refusing priors.
        restored.adoptPriors(map("zeta", 1.0), 50);
        assertEquals(arms.pulls("zeta"), restored.pulls("zeta"));

        BanditArms empty = BanditArms.read(reader(save(new BanditArms(), (n, o) -> { })), "test router", "");
        assertEquals(0, empty.size());
    }

    @Test
    void aCorruptCheckpointIsRefusedNamingTheRouter() throws IOException {
        assertCorrupt("-1 arms in cluster 2", out -> out.writeInt(-1));
        assertCorrupt("arm 'a' twice in cluster 2", out -> {
            out.writeInt(2);
            arm(out, "a", 1, 1, true);
            arm(out, "a", 1, 1, true);
        });
        assertCorrupt("arm without a name in cluster 2", out -> {
            out.writeInt(1);
            arm(out, null, 1, 1, true);
        });
        assertCorrupt("arm 'a' has -1.0 rewards", out -> {
            out.writeInt(1);
            arm(out, "a", -1, 0, true);
        });
        assertCorrupt("summing to NaN", out -> {
            out.writeInt(1);
            arm(out, "a", 1, Double.NaN, false);
        });
        assertCorrupt("has Infinity rewards", out -> {
            out.writeInt(1);
            arm(out, "a", Double.POSITIVE_INFINITY, 0, false);
        });
    }

    private interface Writing {
        void write(StateWriter out) throws IOException;
    }

    private static void arm(StateWriter out, String name, double pulls, double sum, boolean here) throws IOException {
        out.writeString(name);
        out.writeDouble(pulls);
        out.writeDouble(sum);
        out.writeBoolean(here);
    }

    private static void assertCorrupt(String part, Writing writing) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        StateWriter out = new StateWriter(bytes);
        writing.write(out);
        out.flush();
        IOException e = assertThrows(IOException.class,
                () -> BanditArms.read(reader(bytes.toByteArray()), "test router", " in cluster 2"));
        assertTrue(e.getMessage().startsWith("test router: corrupt checkpoint"), e.getMessage());
        assertTrue(e.getMessage().contains(part), e.getMessage());
    }
}
