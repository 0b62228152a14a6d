package io.scarcity.runtime.engine;

import io.scarcity.api.Batch;
import io.scarcity.runtime.client.ClientNode;
import io.scarcity.runtime.client.ClientRoundResult;
import io.scarcity.runtime.config.DomainConfig;
import io.scarcity.runtime.config.RunConfig;
import io.scarcity.runtime.data.RowSource;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Clients living in this JVM with the data they learn from: the run's domain streams ({@link DomainFeed}s,
 * cut into every client's batches exactly as the config says) and the {@link ClientNode}s of a range of
 * the run's clients (in config order: domain by domain). The in-process engine holds all of them; a host
 * process of a networked simulation holds a slice, reads the same streams and keeps its clients' batches,
 * so that every client sees the same rows wherever it runs.
 */
public final class LocalFleet implements ClientFleet {
    private static final Logger LOG = System.getLogger("io.scarcity.engine");

    private final RunConfig config;
    private final int from;
    private final int to;
    /** Every domain's feed (a feed cuts the batches of all its clients, hosted here or not). */
    private final List<DomainFeed> feeds = new ArrayList<>();
    /** First global client index of each domain. */
    private final int[] domainStart;
    private final List<ClientNode> clients = new ArrayList<>();
    private final List<List<ClientNode>> clientsByDomain = new ArrayList<>();
    private final TaskEvaluator tasks;
    private final int threads;
    private ClientPool pool;

    /**
     * Builds the feeds and the clients {@code from} (inclusive) to {@code to} (exclusive) of the run.
     *
     * @throws io.scarcity.api.ConfigException on a bad config
     * @throws io.scarcity.runtime.data.DataException on bad data sources
     * @throws io.scarcity.runtime.UserException if the clients would not fit in the heap
     */
    public LocalFleet(RunConfig config, Assembly assembly, Path baseDir, int from, int to) {
        this(config, assembly, baseDir, from, to, null);
    }

    /**
     * One real client of a networked federation: client {@code clientId} (its slot in the coordinator's
     * run, e.g. {@code ward-1}) of {@code config}'s only domain, which has one client and the client's own
     * stream, cut into its batches as for any client; a generator's random numbers are seeded from the
     * client's id, so that two real clients running generators differ.
     *
     * @throws IllegalArgumentException if the config has more than one domain or client
     */
    public static LocalFleet ownStream(RunConfig config, Assembly assembly, Path baseDir, String clientId) {
        if (config.domains().size() != 1 || config.totalClients() != 1) {
            throw new IllegalArgumentException("a real client's fleet has one domain with one client, got "
                    + config.domains().size() + " domains and " + config.totalClients() + " clients");
        }
        return new LocalFleet(config, assembly, baseDir, 0, 1, java.util.Objects.requireNonNull(clientId, "clientId is null"));
    }

    /**
     * Checks a real client's own stream before it joins a federation: the keys of a domain's {@code stream}
     * section, its files (relative to {@code baseDir}), and that it has a row.
     *
     * @return the stream's schema
     * @throws io.scarcity.api.ConfigException on a bad key or value (paths relative to the section)
     * @throws io.scarcity.runtime.data.DataException on a missing or malformed file, or a stream without rows
     */
    public static io.scarcity.api.DataSchema checkOwnStream(Map<String, Object> stream, Path baseDir) {
        try (RowSource source = DomainFeed.openStream(io.scarcity.api.PluginConfig.of("", stream), 0, baseDir)) {
            if (source.next().isEmpty()) {
                throw new io.scarcity.runtime.data.DataException("the stream has no rows (quarantined: " + source.quarantined()
                        + "); check its data, or its onInvalid/length settings");
            }
            return source.schema();
        }
    }

    /** @param ownId a real client's id (its domain's one client), or {@code null} for the run's clients from..to */
    private LocalFleet(RunConfig config, Assembly assembly, Path baseDir, int from, int to, String ownId) {
        this.config = config;
        if (from < 0 || to > config.totalClients() || from >= to) {
            throw new IllegalArgumentException("client range " + from + ".." + to + " outside 0.." + config.totalClients());
        }
        this.from = from;
        this.to = to;
        this.domainStart = new int[config.domains().size()];
        this.threads = config.threads();
        try {
            int start = 0;
            for (int i = 0; i < config.domains().size(); i++) {
                DomainConfig d = config.domains().get(i);
                domainStart[i] = start;
                feeds.add(ownId == null ? DomainFeed.open(config, i, baseDir) : DomainFeed.open(config, i, baseDir, ownId));
                int first0 = start;
                if (from > first0 || to < first0 + d.clients()) {
                    // a slice: only its clients' rows are kept and cut into batches
                    feeds.get(i).hostOnly(j -> first0 + j >= from && first0 + j < to);
                }
                List<ClientNode> domainClients = new ArrayList<>();
                int first = Math.max(from, start) - start;
                int last = Math.min(to, start + d.clients()) - start;
                int hosted = Math.max(0, last - first);
                HeapBudget budget = HeapBudget.measures(hosted) ? new HeapBudget() : null;
                if (budget != null) {
                    budget.start();
                }
                for (int j = first; j < last; j++) {
                    if (budget != null && j - first == HeapBudget.SAMPLE) {
                        budget.check(j - first, hosted, "domains[" + i + "].clients");
                    }
                    ClientNode c = assembly.client(ownId == null ? d.name() + "-" + j : ownId, d.name(), feeds.get(i).source().schema());
                    clients.add(c);
                    domainClients.add(c);
                }
                clientsByDomain.add(domainClients);
                start += d.clients();
            }
            this.tasks = new TaskEvaluator(config.domains().stream().map(DomainConfig::name).toList(), feeds, clientsByDomain);
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    /** This fleet's clients, in run order. */
    @Override
    public List<ClientNode> clients() {
        return clients;
    }

    /**
     * The round's batches per hosted client (fleet order), or {@code null} when every stream has run out.
     * Every feed is read whole, so that the streams stay where they would be in one JVM.
     *
     * @param checkEmpty whether an empty first round is an error (a fresh run's round 1)
     * @throws io.scarcity.runtime.data.DataException if the streams are empty from the first round on
     */
    public List<List<Batch>> nextBatches(boolean checkEmpty) {
        // Every feed is read for all its clients, hosted or not, so that each stream stays where it would be in
        // one JVM; only the hosted clients' rows are cut into batches.
        List<List<Batch>> work = new ArrayList<>(clients.size());
        boolean any = false;
        for (int i = 0; i < feeds.size(); i++) {
            List<List<Batch>> perClient = feeds.get(i).nextRound();
            any |= feeds.get(i).lastRoundRows() > 0;
            for (int j = 0; j < perClient.size(); j++) {
                List<Batch> b = perClient.get(j);
                int global = domainStart[i] + j;
                if (global >= from && global < to) {
                    work.add(b);
                }
            }
        }
        if (!any && checkEmpty) {
            throw new io.scarcity.runtime.data.DataException("no data: the streams of every domain are empty "
                    + "(quarantined rows per domain: " + quarantined() + "); check the data files, "
                    + "or their onInvalid/length settings");
        }
        return any ? work : null;
    }

    @Override
    public List<ClientRoundResult> play(int round, boolean[] offline, boolean checkEmpty) {
        List<List<Batch>> work = nextBatches(checkEmpty);
        if (work == null) {
            return null;
        }
        if (pool == null) {
            pool = new ClientPool(threads);
        }
        return pool.run(round, clients, work, offline);
    }

    @Override
    public List<TaskEvaluation> evaluateTasks(int round) {
        return tasks.evaluate(round);
    }

    /**
     * Each hosted client's accuracy on every task after each segment learned and not scored yet (task
     * streams only): what {@link #evaluateTasks} averages, for a host holding some of a domain's clients.
     */
    public List<TaskScores> scoreTasks() {
        return tasks.score();
    }

    /** Counts the task segments learned by now as evaluated (after the streams were read again, or skipped ahead). */
    public void skipLearnedTasks() {
        tasks.skipLearned();
    }

    @Override
    public long[] consumed() {
        long[] out = new long[feeds.size()];
        for (int i = 0; i < feeds.size(); i++) {
            out[i] = feeds.get(i).consumed();
        }
        return out;
    }

    @Override
    public long[] digests() {
        long[] out = new long[feeds.size()];
        for (int i = 0; i < feeds.size(); i++) {
            out[i] = feeds.get(i).digest();
        }
        return out;
    }

    @Override
    public int[] segmentsEvaluated() {
        return tasks.segmentsEvaluated();
    }

    @Override
    public void replay(int round, long[] consumed, long[] digests, int[] segments) throws java.io.IOException {
        if (consumed == null || consumed.length != feeds.size()) {
            throw new java.io.IOException("the checkpoint has " + (consumed == null ? 0 : consumed.length)
                    + " domains, the run has " + feeds.size());
        }
        for (int k = 1; k <= round; k++) {
            for (DomainFeed f : feeds) {
                f.nextRound();
            }
        }
        for (int i = 0; i < feeds.size(); i++) {
            if (feeds.get(i).consumed() != consumed[i] || digests == null || digests.length != feeds.size()
                    || feeds.get(i).digest() != digests[i]) {
                throw new java.io.IOException("domain " + feeds.get(i).domain() + " had read " + consumed[i]
                        + " rows by round " + round + "; reading them again gives " + feeds.get(i).consumed()
                        + (feeds.get(i).consumed() == consumed[i] ? " rows with other values" : " rows")
                        + ": its data changed since the run started");
            }
        }
        if (!tasks.restore(segments)) {
            throw new java.io.IOException("task evaluations of " + (segments == null ? 0 : segments.length) + " domains saved");
        }
    }

    /** Quarantined rows per domain so far (sources configured to quarantine). */
    @Override
    public Map<String, Long> quarantined() {
        Map<String, Long> q = new TreeMap<>();
        for (int i = 0; i < feeds.size(); i++) {
            q.put(config.domains().get(i).name(), feeds.get(i).source().quarantined());
        }
        return q;
    }

    /** Drift positions the sources declare, per domain, as {@code stream row -> round it falls in}. */
    @Override
    public Map<String, Map<Long, Integer>> injectedDrifts() {
        Map<String, Map<Long, Integer>> injected = new TreeMap<>();
        for (int i = 0; i < feeds.size(); i++) {
            DomainFeed f = feeds.get(i);
            Map<Long, Integer> m = new LinkedHashMap<>();
            for (long pos : f.source().driftPositions()) {
                m.put(pos, (int) (pos / f.rowsPerRound()) + 1);
            }
            injected.put(config.domains().get(i).name(), m);
        }
        return injected;
    }

    @Override
    public void logQuarantine() {
        for (int i = 0; i < feeds.size(); i++) {
            RowSource s = feeds.get(i).source();
            if (s.quarantined() > 0) {
                LOG.log(Level.WARNING, "domain " + config.domains().get(i).name() + ": " + s.quarantined()
                        + " rows quarantined (skipped, not trained on); first reasons: " + String.join(" | ", s.quarantineSamples()));
            }
        }
    }

    @Override
    public void close() {
        if (pool != null) {
            pool.close();
        }
        for (DomainFeed f : feeds) {
            try {
                f.close();
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "closing a data source failed", e);
            }
        }
    }
}
