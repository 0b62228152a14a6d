package io.scarcity.runtime.privacy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scarcity.api.ExpertReport;
import io.scarcity.api.FeatureMoments;
import io.scarcity.api.Insight;
import io.scarcity.api.StateReader;
import io.scarcity.api.StateWriter;
import io.scarcity.runtime.config.DpConfig;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.util.Map;
import org.junit.jupiter.api.Test;

class InsightPrivacyTest {
    static DpConfig dp(double epsilon, String noise) {
        return new DpConfig(epsilon, 1e-5, null, 1.0, true, 4.0, noise, null);
    }

    /** An insight with every kind of field: accuracy, loss, two experts (one that never predicted), signals, moments. */
    static Insight raw(double accuracy) {
        return new Insight("c-1", "d", 1, 100, accuracy, 1 - accuracy,
                Map.of("a", new ExpertReport("a", "statistical", 0.2, 100, 7, 0.02, Map.of("stat.outliers", 3.0)),
                        "b", new ExpertReport("b", "drift", Double.NaN, 100, 0, Double.NaN, Map.of())),
                Map.of("drift.detected", 1.0), new FeatureMoments(100, new double[] {1, -2}, new double[] {99, 198}));
    }

    /** What {@link InsightPrivacy#saveState} writes. */
    static byte[] saved(InsightPrivacy p) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        p.saveState(new StateWriter(bytes));
        return bytes.toByteArray();
    }

    /** A fresh client's privacy, restored from {@code state}. */
    static InsightPrivacy restored(DpConfig config, int planned, byte[] state) throws Exception {
        InsightPrivacy p = new InsightPrivacy(config, planned, 1, "c-1");
        p.restoreState(new StateReader(new ByteArrayInputStream(state)));
        return p;
    }

    @Test
    void noiseHasTheStatedScaleAndIsCentredOnTheValue() {
        // a large budget for one planned release: noise well inside the ranges, so clamping does not hide it
        InsightPrivacy p = new InsightPrivacy(dp(400, "seeded"), 1, 7, "c-1");
        double m = 1 + 1 + 2 + 2 * 2; // accuracy, loss, two experts, two means, two variances
        double sd = p.noiseMultiplier() * Math.sqrt(m); // over each range's width
        assertTrue(sd < 0.15, "the test needs noise well inside [0, 1], got " + sd);
        int n = 4000;
        double sum = 0;
        double squares = 0;
        for (int i = 0; i < n; i++) {
            InsightPrivacy fresh = new InsightPrivacy(dp(400, "seeded"), 1, i, "c-1");
            double released = fresh.release(raw(0.5)).accuracy();
            sum += released - 0.5;
            squares += (released - 0.5) * (released - 0.5);
        }
        double mean = sum / n;
        double observed = Math.sqrt(squares / n - mean * mean);
        assertEquals(0, mean, 4 * sd / Math.sqrt(n));
        assertEquals(sd, observed, 0.06 * sd);
    }

    @Test
    void theBudgetIsSpentOverThePlannedReleasesAndThenNothingNoisedLeaves() {
        InsightPrivacy p = new InsightPrivacy(dp(2, "secure"), 5, 1, "c-1");
        double before = 0;
        for (int i = 0; i < 5; i++) {
            Insight out = p.release(raw(0.9));
            assertFalse(p.withheld());
            assertTrue(Double.isFinite(out.accuracy()));
            assertTrue(p.epsilonSpent() > before);
            before = p.epsilonSpent();
        }
        assertEquals(2, p.epsilonSpent(), 0.01);
        assertTrue(p.epsilonSpent() <= 2);
        Insight sixth = p.release(raw(0.9));
        assertTrue(p.withheld());
        assertEquals(before, p.epsilonSpent(), "a withheld release spends nothing");
        assertTrue(Double.isNaN(sixth.accuracy()) && Double.isNaN(sixth.loss()));
        sixth.experts().values().forEach(r -> assertTrue(Double.isNaN(r.loss())));
        assertEquals(0, sixth.moments().count());
        assertEquals(2, sixth.moments().dimensions(), "moments of no rows keep the schema's dimensions, as without DP");
        assertEquals(100, sixth.samples(), "the rows processed are released without noise");
    }

    @Test
    void whatCannotBeBoundedIsWithheldAndWhatIsReleasedStaysInItsRange() {
        InsightPrivacy p = new InsightPrivacy(dp(0.5, "secure"), 40, 1, "c-1");
        for (int i = 0; i < 20; i++) {
            Insight out = p.release(raw(0.9));
            assertTrue(out.signals().isEmpty());
            for (ExpertReport r : out.experts().values()) {
                assertTrue(r.signals().isEmpty());
                assertTrue(Double.isNaN(r.learningRate()));
                assertEquals(0, r.activations());
                assertTrue(r.loss() >= 0 && r.loss() <= 1, "an expert that never predicted is released as a noised value too");
            }
            assertTrue(out.accuracy() >= 0 && out.accuracy() <= 1);
            assertTrue(out.loss() >= 0 && out.loss() <= 1);
            for (double v : out.moments().mean()) {
                assertTrue(v >= -4 && v <= 4);
            }
            for (double v : out.moments().variance()) {
                assertTrue(v >= 0 && v <= 16);
            }
        }
    }

    @Test
    void momentsAreWithheldUnlessAsked() {
        InsightPrivacy p = new InsightPrivacy(new DpConfig(4.0, null, null, null, null, null, null, null), 10, 1, "c-1");
        FeatureMoments none = p.release(raw(0.9)).moments();
        assertEquals(0, none.count());
        assertArrayEquals(new double[2], none.mean());
        assertArrayEquals(new double[2], none.m2());
    }

    @Test
    void secureNoiseDiffersEachTimeAndSeededNoiseRepeats() {
        // a budget large enough that the noise seldom reaches the ends of the ranges, where values are clamped
        Insight a = new InsightPrivacy(dp(1000, "secure"), 1, 1, "c-1").release(raw(0.5));
        Insight b = new InsightPrivacy(dp(1000, "secure"), 1, 1, "c-1").release(raw(0.5));
        assertNotEquals(a.accuracy(), b.accuracy());
        Insight c = new InsightPrivacy(dp(1000, "seeded"), 1, 1, "c-1").release(raw(0.5));
        Insight d = new InsightPrivacy(dp(1000, "seeded"), 1, 1, "c-1").release(raw(0.5));
        Insight e = new InsightPrivacy(dp(1000, "seeded"), 1, 1, "c-2").release(raw(0.5));
        assertEquals(c.accuracy(), d.accuracy());
        assertEquals(c.moments().mean()[0], d.moments().mean()[0]);
        assertNotEquals(c.accuracy(), e.accuracy(), "each client draws its own noise");
    }

    /**
     * A release made again after a rewind to a checkpoint is the same noised insight (noise keyed by the client's secret
     * and the release), not a second draw that could be averaged with the first; a client with another secret draws
     * other noise.
     */
    @Test
    void aReleaseMadeAgainAfterARewindIsTheSameNotASecondDraw() throws Exception {
        InsightPrivacy p = new InsightPrivacy(dp(1000, "secure"), 3, 1, "c-1");
        p.release(raw(0.5));
        byte[] bytes = saved(p);
        Insight first = p.release(raw(0.5));
        InsightPrivacy rewound = restored(dp(1000, "secure"), 3, bytes);
        Insight again = rewound.release(raw(0.5));
        assertEquals(first.accuracy(), again.accuracy());
        assertArrayEquals(first.moments().mean(), again.moments().mean());
        assertEquals(p.epsilonSpent(), rewound.epsilonSpent());
        InsightPrivacy other = new InsightPrivacy(dp(1000, "secure"), 3, 1, "c-1");
        other.release(raw(0.5));
        assertNotEquals(first.accuracy(), other.release(raw(0.5)).accuracy(), "another secret, other noise");
    }

    /** Other values at the same release index get other noise: the difference of two releases is never exact. */
    @Test
    void otherValuesReleasedAtTheSameIndexGetIndependentNoise() throws Exception {
        InsightPrivacy p = new InsightPrivacy(dp(1000, "secure"), 3, 1, "c-1");
        byte[] bytes = saved(p);
        double a = p.release(raw(0.5)).accuracy();
        InsightPrivacy q = restored(dp(1000, "secure"), 3, bytes);
        double b = q.release(raw(0.6)).accuracy();
        assertNotEquals(0.1, b - a, 1e-9);
    }

    /** A client rebuilt and restored from an older state keeps its ledger: the budget spent since is not given back. */
    @Test
    void aRewindNeverGivesBudgetBack() throws Exception {
        InsightPrivacy p = new InsightPrivacy(dp(1000, "secure"), 4, 1, "c-1");
        p.release(raw(0.9));
        byte[] older = saved(p);
        Insight second = p.release(raw(0.9));
        p.release(raw(0.9));
        byte[] ledger = saved(p);
        InsightPrivacy rebuilt = restored(dp(1000, "secure"), 4, older);
        rebuilt.keepLedger(ledger);
        assertEquals(p.epsilonSpent(), rebuilt.epsilonSpent());
        assertEquals(3, rebuilt.releases());
        Insight replayed = rebuilt.release(raw(0.9));
        // noised afresh: some noised value differs (any one of them alone may be clamped to the same bound twice)
        assertTrue(second.accuracy() != replayed.accuracy() || second.loss() != replayed.loss()
                || second.experts().get("a").loss() != replayed.experts().get("a").loss(),
                "a replay is a new release, noised afresh and counted");
        assertTrue(rebuilt.release(raw(0.9)) != null && rebuilt.withheld(), "four planned releases spent the budget");
    }

    @Test
    void theSpentBudgetSurvivesACheckpoint() throws Exception {
        InsightPrivacy p = new InsightPrivacy(dp(3, "secure"), 4, 1, "c-1");
        p.release(raw(0.9));
        p.release(raw(0.9));
        byte[] bytes = saved(p);
        InsightPrivacy restored = restored(dp(3, "secure"), 4, bytes);
        assertEquals(p.epsilonSpent(), restored.epsilonSpent());
        assertEquals(2, restored.releases());
        restored.release(raw(0.9));
        restored.release(raw(0.9));
        restored.release(raw(0.9));
        assertTrue(restored.withheld(), "two releases before the checkpoint and two after spend the budget of four");
    }
}
