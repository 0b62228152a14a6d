package io.scarcity.network.federation;

import io.scarcity.network.proto.Call;
import io.scarcity.network.proto.ClientTurn;
import io.scarcity.network.proto.Reply;
import io.scarcity.network.proto.RunRound;
import io.scarcity.network.transport.ConnectionLostException;
import io.scarcity.network.wire.Codecs;
import io.scarcity.runtime.UserException;
import io.scarcity.runtime.client.ClientRoundResult;
import io.scarcity.runtime.config.RunConfig;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeoutException;

/**
 * A round of a networked run: one call per host, the hosts playing in parallel (each within the round's
 * deadline, when the config sets one). A host that is gone, silent or late is left out of the round: its
 * clients count as offline and the round completes with the others, unless fewer than
 * {@code coordinator.minClients} played. A real client whose own stream has ended is offline for the rest
 * of the run; the run's data is exhausted when every host's is.
 */
final class HostRounds {
    private static final Logger LOG = System.getLogger("io.scarcity.network");

    private final RemoteFleet fleet;
    private final RunConfig config;
    private final List<String> ids;
    private final RealClientSlots realClients;

    HostRounds(RemoteFleet fleet, RunConfig config, List<String> ids, RealClientSlots realClients) {
        this.fleet = fleet;
        this.config = config;
        this.ids = ids;
        this.realClients = realClients;
    }

    /** The round's results in client order, or {@code null} when every host's streams have run out. */
    List<ClientRoundResult> play(int round, boolean[] offline) {
        List<RemoteFleet.Range> hosts = fleet.hosts();
        List<CompletableFuture<Reply>> replies = new ArrayList<>();
        for (RemoteFleet.Range r : hosts) {
            if (!fleet.reachable(r.host())) {
                if (r.host().connected()) {
                    LOG.log(Level.WARNING, "host " + r.host() + " is silent: its clients " + r.from() + "-" + (r.to() - 1)
                            + " are left out of round " + round);
                }
                replies.add(null);
                continue;
            }
            RunRound.Builder call = RunRound.newBuilder().setRound(round);
            for (int i = r.from(); i < r.to(); i++) {
                call.addClients(ClientTurn.newBuilder().setClientId(ids.get(i)).setOffline(offline[i]));
            }
            double deadline = config.coordinator().roundDeadline();
            replies.add(deadline > 0 ? r.host().call(Call.newBuilder().setRunRound(call).build(),
                    Duration.ofMillis(Math.round(deadline * 1000))) : r.host().call(Call.newBuilder().setRunRound(call).build()));
        }
        List<ClientRoundResult> results = new ArrayList<>(ids.size());
        int exhausted = 0;
        int answered = 0;
        // real clients whose own stream has ended: offline for the rest of the run
        int ended = 0;
        for (int h = 0; h < hosts.size(); h++) {
            RemoteFleet.Range r = hosts.get(h);
            Reply reply = null;
            if (replies.get(h) != null) {
                try {
                    reply = fleet.await(r.host(), replies.get(h), "host " + r.host(), "round " + round);
                } catch (RemoteClient.RemoteFailure e) {
                    if (e.getCause() instanceof TimeoutException) {
                        LOG.log(Level.WARNING, "host " + r.host() + " missed the deadline of round " + round + " ("
                                + config.coordinator().roundDeadline() + " s); its clients " + r.from() + "-" + (r.to() - 1)
                                + " are left out of the round");
                    } else if (e.getCause() instanceof ConnectionLostException || !r.host().connected()) {
                        LOG.log(Level.WARNING, "host " + r.host() + " was lost in round " + round + "; its clients "
                                + r.from() + "-" + (r.to() - 1) + " are left out of the round");
                    } else {
                        throw e;
                    }
                }
            }
            if (reply == null) {
                for (int i = r.from(); i < r.to(); i++) {
                    offline(i, round, offline, results);
                }
                continue;
            }
            answered++;
            if (reply.getRoundResults().getExhausted()) {
                exhausted++;
                if (r.host().hello().hasHosted()) {
                    ended++;
                    if (realClients.ended(r.from())) {
                        LOG.log(Level.INFO, realClients.describe(r.from()) + " (" + ids.get(r.from()) + ") ran out of data in round "
                                + round + ": it is offline for the rest of the run");
                    }
                    offline(r.from(), round, offline, results);
                }
                continue;
            }
            for (var bytes : reply.getRoundResults().getResultsList()) {
                results.add(Codecs.ROUND_RESULT.decode(bytes.toByteArray()));
            }
        }
        if (answered > 0 && exhausted == answered) {
            return null;
        }
        long played = results.stream().filter(r -> !r.offline()).count();
        if (played < config.coordinator().minClients()) {
            throw new UserException("round " + round + ": only " + played + " clients played it (the others' hosts are gone or"
                    + " missed the deadline of " + config.coordinator().roundDeadline() + " s" + (ended > 0 ? ", or their streams ended" : "")
                    + "), fewer than coordinator.minClients = "
                    + config.coordinator().minClients() + "; the run stops. Restart the missing hosts, or lower coordinator.minClients");
        }
        if (exhausted > ended || results.size() != ids.size()) {
            throw new IllegalStateException("the hosts disagree on round " + round + ": " + (exhausted - ended) + " of " + answered
                    + " ran out of data");
        }
        return results;
    }

    /** Client {@code i} is left out of the round: offline, with nothing played. */
    private void offline(int i, int round, boolean[] offline, List<ClientRoundResult> results) {
        offline[i] = true;
        RemoteClient c = fleet.client(i);
        results.add(ClientRoundResult.offline(ids.get(i), c.domain(), round, c.schema().numClasses() > 0, 0, new io.scarcity.api.MemoryStats(Map.of(), 0)));
    }

}
