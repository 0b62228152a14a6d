package io.scarcity.network.federation;

import io.scarcity.network.proto.Call;
import io.scarcity.network.proto.Reply;
import io.scarcity.network.transport.ConnectionLostException;
import io.scarcity.runtime.config.RunConfig;
import io.scarcity.runtime.engine.TaskEvaluation;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;

/**
 * A networked run's continual-learning evaluations: the hosts score their clients on every task's held-out
 * rows, and the scores are averaged over each domain's clients in client order, as {@code LocalFleet} does
 * in one JVM, so the accuracy matrix is the same bit for bit. Remembers per domain which segments were
 * reported (kept in checkpoints), so none is reported twice.
 */
final class TaskScoring {
    private static final Logger LOG = System.getLogger("io.scarcity.network");

    private final RemoteFleet fleet;
    private final RunConfig config;
    private final List<String> ids;
    private final Map<String, Integer> index = new HashMap<>();
    /** Per domain, the task segments whose evaluations were reported. */
    private final int[] reportedSegments;

    TaskScoring(RemoteFleet fleet, RunConfig config, List<String> ids) {
        this.fleet = fleet;
        this.config = config;
        this.ids = ids;
        for (int i = 0; i < ids.size(); i++) {
            index.put(ids.get(i), i);
        }
        this.reportedSegments = new int[config.domains().size()];
    }

    /** Per domain, the segments reported so far (for a checkpoint). */
    synchronized int[] reported() {
        return reportedSegments.clone();
    }

    /** Restores {@link #reported} from a checkpoint. */
    synchronized void restore(int[] segments) throws java.io.IOException {
        if (segments == null || segments.length != reportedSegments.length) {
            throw new java.io.IOException("task evaluations of " + (segments == null ? 0 : segments.length) + " domains saved, the run has "
                    + reportedSegments.length);
        }
        System.arraycopy(segments, 0, reportedSegments, 0, segments.length);
    }

    /**
     * The held-out task evaluations due after {@code round}: every reachable host scores its clients, and each
     * segment's accuracies are averaged over the domain's clients in client order (the in-process arithmetic,
     * so the numbers are the same bit for bit). A host that is gone leaves its clients out of the average; a
     * segment already reported is not reported again.
     */
    synchronized List<TaskEvaluation> evaluate(int round) {
        List<RemoteFleet.Range> hosts = fleet.hosts();
        List<CompletableFuture<Reply>> replies = new ArrayList<>();
        for (RemoteFleet.Range r : hosts) {
            replies.add(fleet.reachable(r.host()) ? r.host().call(Call.newBuilder().setEvaluateTasks(
                    io.scarcity.network.proto.EvaluateTasks.newBuilder().setRound(round)).build()) : null);
        }
        // per domain, per segment: the task and each client's accuracies by run index
        List<TreeMap<Integer, Scored>> byDomain = new ArrayList<>();
        config.domains().forEach(d -> byDomain.add(new TreeMap<>()));
        for (int h = 0; h < hosts.size(); h++) {
            if (replies.get(h) == null) {
                continue;
            }
            Reply reply;
            try {
                reply = fleet.await(hosts.get(h).host(), replies.get(h), "host " + hosts.get(h).host(), "evaluate tasks after round " + round);
            } catch (RemoteClient.RemoteFailure e) {
                if (!(e.getCause() instanceof ConnectionLostException)) {
                    throw e;
                }
                LOG.log(Level.WARNING, "host " + hosts.get(h).host() + " was lost: its clients are left out of the task evaluations of round " + round);
                continue;
            }
            for (io.scarcity.network.proto.SegmentScores seg : reply.getTaskScores().getSegmentsList()) {
                int d = domainIndex(seg.getDomain());
                if (seg.getSegment() < reportedSegments[d]) {
                    continue;
                }
                Scored scored = byDomain.get(d).computeIfAbsent(seg.getSegment(), k -> new Scored(seg.getTask(), new TreeMap<>()));
                for (io.scarcity.network.proto.ClientTaskAccuracy c : seg.getClientsList()) {
                    double[] accuracy = new double[c.getAccuracyCount()];
                    for (int t = 0; t < accuracy.length; t++) {
                        accuracy[t] = c.getAccuracy(t);
                    }
                    scored.byClient().put(index.get(c.getClientId()), accuracy);
                }
            }
        }
        List<TaskEvaluation> out = new ArrayList<>();
        for (int d = 0; d < byDomain.size(); d++) {
            for (var e : byDomain.get(d).entrySet()) {
                Scored s = e.getValue();
                List<String> clientIds = s.byClient().keySet().stream().map(ids::get).toList();
                out.add(new io.scarcity.runtime.engine.TaskScores(config.domains().get(d).name(), e.getKey(), s.task(), clientIds,
                        s.byClient().values().toArray(double[][]::new)).evaluation(round, clientIds.size()));
                reportedSegments[d] = e.getKey() + 1;
            }
        }
        return out;
    }

    /** A segment's scores gathered from the hosts: its task, and each client's accuracies by run index. */
    private record Scored(int task, TreeMap<Integer, double[]> byClient) {
    }

    private int domainIndex(String domain) {
        for (int d = 0; d < config.domains().size(); d++) {
            if (config.domains().get(d).name().equals(domain)) {
                return d;
            }
        }
        throw new IllegalStateException("a host scored tasks of domain " + domain + ", which the run does not have");
    }

}
