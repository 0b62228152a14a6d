package io.scarcity.network.federation;

import io.scarcity.network.proto.Call;
import io.scarcity.network.proto.ClientState;
import io.scarcity.network.proto.Reply;
import io.scarcity.network.proto.Rewind;
import io.scarcity.network.proto.SaveState;
import io.scarcity.network.transport.ConnectionLostException;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * A networked run's client states: at each of the coordinator's checkpoints the hosts save their clients'
 * states in their own state folders and the coordinator keeps, per client, only the round and SHA-256 of
 * the saved state ({@link RemoteClient#saveState}); a resume gives those records back to the hosts, which
 * rebuild their clients from their saved states and read their streams again up to the checkpoint.
 */
final class HostStates {
    private static final Logger LOG = System.getLogger("io.scarcity.network");

    private final RemoteFleet fleet;
    private final List<String> ids;
    /** Per client: its state saved on its host, as the last checkpoint recorded it (round 0: none). */
    private final ClientState[] saved;
    /** The last round played (or resumed after). */
    private int played;
    /** The round {@link #saved} was last brought up to date for, -1 for never. */
    private int savedFor = -1;
    /** A resume: the round to rewind the hosts to, and how many clients' records the checkpoint gave so far. */
    private int rewindRound = -1;
    private int restoredClients;

    HostStates(RemoteFleet fleet, List<String> ids) {
        this.fleet = fleet;
        this.ids = ids;
        this.saved = new ClientState[ids.size()];
        for (int i = 0; i < saved.length; i++) {
            saved[i] = ClientState.newBuilder().setClientId(ids.get(i)).build();
        }
    }

    /** The round loop played {@code round}. */
    synchronized void played(int round) {
        played = round;
    }

    /**
     * The hosts save their clients' states after the round last played, in their own state folders, all in
     * parallel; the coordinator keeps each state's round and SHA-256 ({@link RemoteClient#saveState}). A client
     * whose host is gone or silent keeps the record of its last saved state.
     */
    synchronized ClientState saved(int index) throws java.io.IOException {
        if (savedFor != played) {
            List<RemoteFleet.Range> hosts = fleet.hosts();
            List<CompletableFuture<Reply>> replies = new ArrayList<>();
            for (RemoteFleet.Range r : hosts) {
                replies.add(fleet.reachable(r.host()) ? r.host().call(Call.newBuilder().setSaveState(SaveState.newBuilder()
                        .addAllClientIds(ids.subList(r.from(), r.to())).setRound(played)).build()) : null);
            }
            for (int h = 0; h < hosts.size(); h++) {
                RemoteFleet.Range r = hosts.get(h);
                if (replies.get(h) == null) {
                    LOG.log(Level.WARNING, "host " + r.host() + " is not connected: the checkpoint after round " + played
                            + " keeps the last saved states of its clients " + r.from() + "-" + (r.to() - 1));
                    continue;
                }
                Reply reply;
                try {
                    reply = fleet.await(r.host(), replies.get(h), "host " + r.host(), "save its clients' states");
                } catch (RemoteClient.RemoteFailure e) {
                    if (e.getCause() instanceof ConnectionLostException) {
                        LOG.log(Level.WARNING, "host " + r.host() + " was lost while saving: the checkpoint after round " + played
                                + " keeps the last saved states of its clients " + r.from() + "-" + (r.to() - 1));
                        continue;
                    }
                    throw new java.io.IOException(e.getMessage() + "; start the host with a state folder it can write (--state-dir)", e);
                }
                List<ClientState> states = reply.getSavedStates().getClientsList();
                for (int i = r.from(); i < r.to(); i++) {
                    ClientState s = states.size() == r.to() - r.from() ? states.get(i - r.from()) : null;
                    if (s == null || !s.getClientId().equals(ids.get(i))) {
                        throw new java.io.IOException("host " + r.host() + " saved other clients than " + r.from() + "-" + (r.to() - 1));
                    }
                    saved[i] = s;
                }
            }
            savedFor = played;
        }
        return saved[index];
    }

    /** A resume after {@code round}: the clients' records follow ({@link #restored}). */
    synchronized void rewindTo(int round) {
        rewindRound = round;
        restoredClients = 0;
    }

    /**
     * A resume read client {@code index}'s record from the checkpoint; after the last one, every host builds its
     * clients afresh, restores them from its own saved states (checked against the records) and reads its
     * streams again up to the checkpoint's round.
     *
     * @throws java.io.IOException naming the host and what it lacks when a host cannot
     */
    synchronized void restored(int index, ClientState record) throws java.io.IOException {
        if (rewindRound < 0) {
            throw new IllegalStateException("a client state restored outside a resume");
        }
        saved[index] = record;
        if (++restoredClients < saved.length) {
            return;
        }
        List<RemoteFleet.Range> hosts = fleet.hosts();
        List<CompletableFuture<Reply>> replies = new ArrayList<>();
        for (RemoteFleet.Range r : hosts) {
            replies.add(r.host().call(Call.newBuilder().setRewind(Rewind.newBuilder().setRound(rewindRound)
                    .addAllClients(java.util.Arrays.asList(saved).subList(r.from(), r.to()))).build()));
        }
        for (int h = 0; h < hosts.size(); h++) {
            try {
                fleet.await(hosts.get(h).host(), replies.get(h), "host " + hosts.get(h).host(), "resume its clients after round " + rewindRound);
            } catch (RemoteClient.RemoteFailure e) {
                throw new java.io.IOException(e.getMessage(), e);
            }
        }
        played = rewindRound;
        savedFor = rewindRound;
        rewindRound = -1;
    }

}
