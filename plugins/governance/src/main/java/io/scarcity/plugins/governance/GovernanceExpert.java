package io.scarcity.plugins.governance;

import io.scarcity.api.Batch;
import io.scarcity.api.BatchOutcome;
import io.scarcity.api.Checkpointable;
import io.scarcity.api.Expert;
import io.scarcity.api.ExpertCapabilities;
import io.scarcity.api.MetricsSink;
import io.scarcity.api.RowFilter;
import io.scarcity.api.SignalBoard;
import io.scarcity.api.StateReader;
import io.scarcity.api.StateWriter;
import java.io.IOException;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Declarative data constraints as a {@link RowFilter}: every streamed row is checked against every rule
 * before routing, and a row that breaks at least one is quarantined (never predicted, learned from or
 * remembered; the client counts it in {@code client.quarantined-rows}). A row that breaks several rules
 * counts once as quarantined and once for each rule.
 *
 * <p>Per rule: a running count of violations (metric {@code governance.violations.<rule>}), the first
 * {@code sampleSize} violating rows kept for inspection ({@link #samples()}), and one WARNING log line
 * for the rule's first violation with the row's values. Over the last {@code window} rows: the share of
 * quarantined rows, published as signal and gauge {@code governance.violation-rate} after every batch.
 * When it exceeds {@code maxViolationRate} (checked after each batch, once {@code minRows} rows were
 * seen) an alert is raised: metric {@code governance.alerts} +1, signal {@code governance.alert} = 1 and
 * a WARNING naming the rules violated in the window with their counts. The alert re-arms once the rate is
 * back at or below the maximum (logged at INFO). A rule with its own {@code maxViolationRate} alerts
 * likewise on its own rate. Alert log lines are capped at {@value #MAX_ALERT_LOGS}; alerts keep counting.
 *
 * <p>Rules are declarative, so {@link #learn} has nothing to learn; the expert predicts nothing and is
 * not gossiped.
 *
 * <p>Checkpoints ({@link Checkpointable}): the format version, the rules' canonical descriptions (checked on
 * restore: a checkpoint of other rules is refused, naming the first difference; rules may come from a constraints
 * file, whose content the run's config digest does not cover), counters, windows,
 * alert states, log state and samples.
 */
public final class GovernanceExpert implements Expert, RowFilter, Checkpointable {
    static final String VIOLATION_RATE = "governance.violation-rate";
    static final String ALERT = "governance.alert";
    static final String ALERTS = "governance.alerts";
    static final String VIOLATIONS = "governance.violations.";
    /** Alert and re-arm log lines per instance; beyond, alerts are only counted. */
    static final int MAX_ALERT_LOGS = 50;
    /** Format of {@link #saveState}; bump when it changes. 2 left the options (not the rules) out. */
    static final int STATE_VERSION = 2;
    private static final ExpertCapabilities CAPABILITIES = new ExpertCapabilities(false, false, Set.of(),
            Set.of(VIOLATION_RATE, ALERT));

    private final Options options;
    private final Rule[] rules;
    private final String[] metricNames;
    private final MetricsSink metrics;
    private final Logger logger;
    private final String where;

    private final ViolationWindow quarantinedWindow;
    private final ViolationWindow[] ruleWindows;
    private final long[] violations;
    private final List<List<Violation>> samples;
    private final boolean[] firstLogged;
    private final boolean[] ruleAlerting;
    private boolean alerting;
    private long rowsSeen;
    private long quarantined;
    private long alerts;
    private int alertLogs;

    /** Per-batch scratch, grown to the largest batch; not state. */
    private boolean[] violated = new boolean[0];
    private boolean[] rejected = new boolean[0];

    /**
     * @param clientId the client's id for log lines, may be empty
     */
    GovernanceExpert(Options options, MetricsSink metrics, Logger logger, String clientId) {
        this.options = Objects.requireNonNull(options, "options is null");
        this.metrics = Objects.requireNonNull(metrics, "metrics is null");
        this.logger = Objects.requireNonNull(logger, "logger is null");
        this.where = clientId == null || clientId.isEmpty() ? "" : " on client " + clientId;
        this.rules = options.rules().toArray(Rule[]::new);
        int k = rules.length;
        this.metricNames = new String[k];
        this.ruleWindows = new ViolationWindow[k];
        this.samples = new ArrayList<>(k);
        for (int i = 0; i < k; i++) {
            metricNames[i] = VIOLATIONS + rules[i].name();
            ruleWindows[i] = new ViolationWindow(options.window());
            samples.add(new ArrayList<>());
        }
        this.quarantinedWindow = new ViolationWindow(options.window());
        this.violations = new long[k];
        this.firstLogged = new boolean[k];
        this.ruleAlerting = new boolean[k];
    }

    @Override
    public ExpertCapabilities capabilities() {
        return CAPABILITIES;
    }

    @Override
    public boolean[] admit(Batch batch, SignalBoard signals) {
        Objects.requireNonNull(batch, "batch is null");
        Objects.requireNonNull(signals, "signals is null");
        int n = batch.rows();
        if (violated.length < n) {
            violated = new boolean[n];
            rejected = new boolean[n];
        }
        boolean[] bad = violated;
        boolean[] out = rejected;
        for (int k = 0; k < rules.length; k++) {
            Rule rule = rules[k];
            rule.check(batch, bad);
            ViolationWindow w = ruleWindows[k];
            int count = 0;
            for (int r = 0; r < n; r++) {
                boolean b = bad[r];
                w.add(b);
                if (b) {
                    count++;
                    out[r] = true;
                }
            }
            if (count > 0) {
                violations[k] += count;
                metrics.count(metricNames[k], count);
                keepSamples(k, batch, bad);
            }
        }
        int q = 0;
        for (int r = 0; r < n; r++) {
            boolean b = out[r];
            quarantinedWindow.add(b);
            q += b ? 1 : 0;
        }
        boolean[] keep = null;
        if (q > 0) {
            keep = new boolean[n];
            for (int r = 0; r < n; r++) {
                keep[r] = !out[r];
                out[r] = false;
            }
        }
        rowsSeen += n;
        quarantined += q;
        double rate = violationRate();
        signals.publish(VIOLATION_RATE, rate);
        metrics.gauge(VIOLATION_RATE, rate);
        if (rowsSeen >= options.minRows()) {
            checkAlerts(rate);
        }
        signals.publish(ALERT, alerting() ? 1.0 : 0.0);
        return keep;
    }

    /** Rules are declarative: nothing to learn from the admitted rows. */
    @Override
    public void learn(Batch batch, BatchOutcome outcome, SignalBoard signals) {
        Objects.requireNonNull(batch, "batch is null");
        Objects.requireNonNull(outcome, "outcome is null");
        Objects.requireNonNull(signals, "signals is null");
    }

    private void keepSamples(int k, Batch batch, boolean[] bad) {
        List<Violation> kept = samples.get(k);
        boolean log = !firstLogged[k];
        if (kept.size() >= options.sampleSize() && !log) {
            return;
        }
        Rule rule = rules[k];
        for (int r = 0, n = batch.rows(); r < n && (kept.size() < options.sampleSize() || log); r++) {
            if (!bad[r]) {
                continue;
            }
            long row = batch.firstRow() + r;
            String values = rule.values(batch, r);
            if (kept.size() < options.sampleSize()) {
                kept.add(new Violation(rule.name(), row, values));
            }
            if (log) {
                log = false;
                firstLogged[k] = true;
                logger.log(Level.WARNING, () -> "governance rule '" + rule.name() + "' (" + rule.condition() + ") quarantined row "
                        + row + where + ": " + values + "; further violations are counted in " + metricNames[k]
                        + ", not logged");
            }
        }
    }

    private void checkAlerts(double rate) {
        if (!alerting && rate > options.maxViolationRate()) {
            alerting = true;
            raise(() -> String.format(Locale.ROOT, "governance alert%s: %.2f%% of the last %d rows were quarantined, above "
                    + "maxViolationRate %.2f%%; violations in the window: %s", where, 100 * rate, rowsInWindow(),
                    100 * options.maxViolationRate(), windowCounts()));
        } else if (alerting && rate <= options.maxViolationRate()) {
            alerting = false;
            rearmed(() -> String.format(Locale.ROOT, "governance%s: %.2f%% of the last %d rows quarantined, back within "
                    + "maxViolationRate %.2f%%; the alert is re-armed", where, 100 * rate, rowsInWindow(),
                    100 * options.maxViolationRate()));
        }
        for (int k = 0; k < rules.length; k++) {
            double max = rules[k].maxViolationRate();
            if (Double.isNaN(max)) {
                continue;
            }
            double r = ruleViolationRate(k);
            Rule rule = rules[k];
            if (!ruleAlerting[k] && r > max) {
                ruleAlerting[k] = true;
                raise(() -> String.format(Locale.ROOT, "governance alert%s: rule '%s' (%s) was broken by %.2f%% of the last "
                        + "%d rows, above its maxViolationRate %.2f%%", where, rule.name(), rule.condition(), 100 * r,
                        rowsInWindow(), 100 * max));
            } else if (ruleAlerting[k] && r <= max) {
                ruleAlerting[k] = false;
                rearmed(() -> String.format(Locale.ROOT, "governance%s: rule '%s' broken by %.2f%% of the last %d rows, back "
                        + "within its maxViolationRate %.2f%%; the alert is re-armed", where, rule.name(), 100 * r,
                        rowsInWindow(), 100 * max));
            }
        }
    }

    private void raise(java.util.function.Supplier<String> message) {
        alerts++;
        metrics.count(ALERTS, 1);
        logCapped(Level.WARNING, message);
    }

    private void rearmed(java.util.function.Supplier<String> message) {
        logCapped(Level.INFO, message);
    }

    private void logCapped(Level level, java.util.function.Supplier<String> message) {
        if (alertLogs < MAX_ALERT_LOGS) {
            alertLogs++;
            logger.log(level, message);
            if (alertLogs == MAX_ALERT_LOGS) {
                logger.log(Level.WARNING, "governance" + where + ": " + MAX_ALERT_LOGS + " alert log lines written; further "
                        + "alerts are counted in " + ALERTS + " and shown by the signal " + ALERT + ", not logged");
            }
        }
    }

    /** {@code rule count, ...} for the rules with violations in the window, most violated first. */
    private String windowCounts() {
        List<Integer> order = new ArrayList<>();
        for (int k = 0; k < rules.length; k++) {
            if (ruleWindows[k].count() > 0) {
                order.add(k);
            }
        }
        order.sort((a, b) -> Integer.compare(ruleWindows[b].count(), ruleWindows[a].count()));
        List<String> parts = new ArrayList<>();
        for (int k : order) {
            parts.add(rules[k].name() + " " + ruleWindows[k].count());
        }
        return parts.isEmpty() ? "none" : String.join(", ", parts);
    }

    private int rowsInWindow() {
        return (int) Math.min(rowsSeen, options.window());
    }

    /** The share of quarantined rows among the last {@code window} rows (fewer at the start); 0 before any row. */
    public double violationRate() {
        int rows = rowsInWindow();
        return rows == 0 ? 0.0 : quarantinedWindow.count() / (double) rows;
    }

    /** The share of the last {@code window} rows that broke rule {@code k} (in configuration order). */
    double ruleViolationRate(int k) {
        int rows = rowsInWindow();
        return rows == 0 ? 0.0 : ruleWindows[k].count() / (double) rows;
    }

    /** Whether an alert (overall or of a rule) is raised and not yet re-armed. */
    public boolean alerting() {
        if (alerting) {
            return true;
        }
        for (boolean a : ruleAlerting) {
            if (a) {
                return true;
            }
        }
        return false;
    }

    /** Alerts raised since creation. */
    public long alerts() {
        return alerts;
    }

    /** Rows checked since creation. */
    public long rowsSeen() {
        return rowsSeen;
    }

    /** Rows quarantined since creation (each once, however many rules it broke). */
    public long quarantined() {
        return quarantined;
    }

    /** Violations per rule since creation, in configuration order. */
    public Map<String, Long> violationCounts() {
        Map<String, Long> out = new LinkedHashMap<>();
        for (int k = 0; k < rules.length; k++) {
            out.put(rules[k].name(), violations[k]);
        }
        return out;
    }

    /** The kept violating rows: the first {@code sampleSize} of each rule, rules in configuration order. */
    public List<Violation> samples() {
        List<Violation> out = new ArrayList<>();
        samples.forEach(out::addAll);
        return List.copyOf(out);
    }

    /** Each rule's canonical description, in configuration order. */
    public List<String> rules() {
        List<String> out = new ArrayList<>();
        for (Rule r : rules) {
            out.add(r.describe());
        }
        return out;
    }

    @Override
    public void saveState(StateWriter out) throws IOException {
        out.writeVersion(STATE_VERSION);
        out.writeInt(rules.length);
        for (Rule r : rules) {
            out.writeString(r.describe());
        }
        out.writeLong(rowsSeen);
        out.writeLong(quarantined);
        out.writeLong(alerts);
        out.writeInt(alertLogs);
        out.writeBoolean(alerting);
        quarantinedWindow.save(out);
        for (int k = 0; k < rules.length; k++) {
            ruleWindows[k].save(out);
            out.writeLong(violations[k]);
            out.writeBoolean(ruleAlerting[k]);
            out.writeBoolean(firstLogged[k]);
            List<Violation> kept = samples.get(k);
            out.writeInt(kept.size());
            for (Violation v : kept) {
                out.writeLong(v.row());
                out.writeString(v.values());
            }
        }
    }

    @Override
    public void restoreState(StateReader in) throws IOException {
        String c = "governance expert";
        in.readVersion(c, STATE_VERSION);
        int k = in.readInt();
        if (k < 0 || k > StateReader.MAX_LENGTH) {
            throw new IOException(c + " checkpoint: invalid number of rules " + k);
        }
        List<String> saved = new ArrayList<>();
        for (int i = 0; i < k; i++) {
            saved.add(in.readString());
        }
        List<String> configured = rules();
        if (!saved.equals(configured)) {
            throw new IOException(c + " checkpoint: it was written with other rules, so its counts and windows do not "
                    + "fit these; " + firstDifference(saved, configured) + ". Restore with the rules it was written with, "
                    + "or start a new run");
        }
        long seen = in.readLong();
        long q = in.readLong();
        long a = in.readLong();
        int logs = in.readInt();
        if (seen < 0 || q < 0 || q > seen || a < 0 || logs < 0 || logs > MAX_ALERT_LOGS) {
            throw new IOException(c + " checkpoint: invalid counts (rows " + seen + ", quarantined " + q + ", alerts " + a
                    + ", alert log lines " + logs + ")");
        }
        rowsSeen = seen;
        quarantined = q;
        alerts = a;
        alertLogs = logs;
        alerting = in.readBoolean();
        quarantinedWindow.restore(in, "quarantined-rows");
        for (int i = 0; i < rules.length; i++) {
            ruleWindows[i].restore(in, "rule '" + rules[i].name() + "'");
            violations[i] = in.readLong();
            if (violations[i] < 0) {
                throw new IOException(c + " checkpoint: negative violation count for rule '" + rules[i].name() + "'");
            }
            ruleAlerting[i] = in.readBoolean();
            firstLogged[i] = in.readBoolean();
            int m = in.readInt();
            if (m < 0 || m > options.sampleSize()) {
                throw new IOException(c + " checkpoint: " + m + " samples for rule '" + rules[i].name() + "', more than sampleSize "
                        + options.sampleSize());
            }
            List<Violation> kept = samples.get(i);
            kept.clear();
            for (int j = 0; j < m; j++) {
                long row = in.readLong();
                kept.add(new Violation(rules[i].name(), row, in.readString()));
            }
        }
    }

    private static String firstDifference(List<String> saved, List<String> configured) {
        for (int i = 0; i < Math.min(saved.size(), configured.size()); i++) {
            if (!saved.get(i).equals(configured.get(i))) {
                return "rule " + (i + 1) + " was '" + saved.get(i) + "', is now '" + configured.get(i) + "'";
            }
        }
        return "it has " + saved.size() + " rules, the configuration " + configured.size();
    }
}
