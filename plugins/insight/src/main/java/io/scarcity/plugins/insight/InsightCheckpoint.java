package io.scarcity.plugins.insight;

import io.scarcity.api.ExpertState;
import io.scarcity.api.Insight;
import io.scarcity.api.MetaParameters;
import io.scarcity.api.StateReader;
import io.scarcity.api.StateWriter;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.Collection;
import java.util.Map;
import java.util.TreeMap;

/**
 * The insight meta-learner's checkpoint format: its format version, the last round, the clients' consensus
 * weights, every domain's window of insights (field by field) and the latest parameters per domain.
 * {@link #read} checks everything and builds a new {@link State}, so that a refused checkpoint changes
 * nothing.
 */
final class InsightCheckpoint {
    /** Format of the state; bump when it changes. 2 left the options out; 3 added the uploaded states (warm start). */
    static final int STATE_VERSION = 3;
    private static final String COMPONENT = "insight meta-learner";

    private InsightCheckpoint() {
    }

    /** What a checkpoint holds. */
    record State(int lastRound, Map<String, Double> trust, Map<String, ArrayDeque<Insight>> windows,
                 Map<String, MetaParameters> latest, Map<String, Map<String, Map<String, ExpertState>>> uploads) {
    }

    static void write(StateWriter out, int lastRound, Map<String, Double> trust, Map<String, ArrayDeque<Insight>> windows,
                      Collection<MetaParameters> latest, Map<String, Map<String, Map<String, ExpertState>>> uploads)
            throws IOException {
        out.writeVersion(STATE_VERSION);
        out.writeInt(lastRound);
        out.writeDoubleMap(trust);
        out.writeInt(windows.size());
        for (Map.Entry<String, ArrayDeque<Insight>> e : windows.entrySet()) {
            out.writeString(e.getKey());
            out.writeInt(e.getValue().size());
            for (Insight insight : e.getValue()) {
                out.writeInsight(insight);
            }
        }
        out.writeInt(latest.size());
        for (MetaParameters p : latest) {
            out.writeMetaParameters(p);
        }
        out.writeInt(uploads.size());
        for (Map.Entry<String, Map<String, Map<String, ExpertState>>> domain : uploads.entrySet()) {
            out.writeString(domain.getKey());
            out.writeInt(domain.getValue().size());
            for (Map.Entry<String, Map<String, ExpertState>> client : domain.getValue().entrySet()) {
                out.writeString(client.getKey());
                out.writeInt(client.getValue().size());
                for (Map.Entry<String, ExpertState> state : client.getValue().entrySet()) {
                    out.writeString(state.getKey());
                    out.writeExpertState(state.getValue());
                }
            }
        }
    }

    /** Reads what {@link #write} wrote; a window may hold at most {@code window} insights. */
    static State read(StateReader in, int window) throws IOException {
        in.readVersion(COMPONENT, STATE_VERSION);
        int round = in.readInt();
        if (round < 0) {
            throw new IOException(COMPONENT + " checkpoint: negative round " + round);
        }
        Map<String, Double> weights = in.readDoubleMap();
        Map<String, ArrayDeque<Insight>> restored = new TreeMap<>();
        int domains = count(in.readInt(), "domains");
        for (int d = 0; d < domains; d++) {
            String domain = requireString(in.readString(), "domain name");
            int size = count(in.readInt(), "insights of domain '" + domain + "'");
            if (size > window) {
                throw new IOException(COMPONENT + " checkpoint: window of domain '" + domain + "' holds " + size
                        + " insights, more than window = " + window);
            }
            ArrayDeque<Insight> insights = new ArrayDeque<>(size);
            for (int i = 0; i < size; i++) {
                insights.addLast(in.readInsight());
            }
            restored.put(domain, insights);
        }
        Map<String, MetaParameters> parameters = new TreeMap<>();
        int known = count(in.readInt(), "parameters");
        for (int i = 0; i < known; i++) {
            MetaParameters p = in.readMetaParameters();
            parameters.put(p.domain(), p);
        }
        Map<String, Map<String, Map<String, ExpertState>>> uploads = new TreeMap<>();
        int domainsWithStates = count(in.readInt(), "domains with uploaded states");
        for (int d = 0; d < domainsWithStates; d++) {
            String domain = requireString(in.readString(), "domain name");
            Map<String, Map<String, ExpertState>> clients = new TreeMap<>();
            int n = count(in.readInt(), "clients with states in domain '" + domain + "'");
            for (int c = 0; c < n; c++) {
                String client = requireString(in.readString(), "client pseudonym");
                Map<String, ExpertState> states = new TreeMap<>();
                int experts = count(in.readInt(), "states of client '" + client + "'");
                for (int e = 0; e < experts; e++) {
                    states.put(requireString(in.readString(), "expert instance name"), in.readExpertState());
                }
                clients.put(client, states);
            }
            uploads.put(domain, clients);
        }
        return new State(round, weights, restored, parameters, uploads);
    }

    private static int count(int n, String what) throws IOException {
        if (n < 0) {
            throw new IOException(COMPONENT + " checkpoint: negative number of " + what + ": " + n);
        }
        return n;
    }

    private static String requireString(String s, String what) throws IOException {
        if (s == null) {
            throw new IOException(COMPONENT + " checkpoint: missing " + what);
        }
        return s;
    }
}
