package io.scarcity.network.federation;

import com.google.protobuf.ByteString;
import io.scarcity.network.proto.SecAggKeys;
import io.scarcity.network.proto.SecAggShare;
import io.scarcity.network.proto.SecureAggregationReply;
import io.scarcity.network.proto.SecureAggregationStep;
import io.scarcity.network.transport.CallFailedException;
import io.scarcity.network.proto.ErrorKind;
import io.scarcity.runtime.client.ClientHandle;
import io.scarcity.runtime.secagg.SecAggClient;
import java.math.BigInteger;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Secure aggregation's messages on the wire ({@code SecureAggregationStep} and its reply), and a host's side of a step:
 * the client's {@link SecAggClient} stays on the host, the coordinator sees only what the protocol lets it.
 */
final class SecureAggregationWire {
    private SecureAggregationWire() {
    }

    static SecAggKeys keys(SecAggClient.Keys k) {
        return SecAggKeys.newBuilder().setId(k.id()).setSealing(ByteString.copyFrom(k.sealing()))
                .setMasking(ByteString.copyFrom(k.masking())).build();
    }

    static SecAggClient.Keys keys(SecAggKeys k) {
        return new SecAggClient.Keys(k.getId(), k.getSealing().toByteArray(), k.getMasking().toByteArray());
    }

    static SecAggShare share(SecAggClient.SealedShare s) {
        return SecAggShare.newBuilder().setFrom(s.from()).setTo(s.to()).setSealed(ByteString.copyFrom(s.sealed())).build();
    }

    static SecAggClient.SealedShare share(SecAggShare s) {
        return new SecAggClient.SealedShare(s.getFrom(), s.getTo(), s.getSealed().toByteArray());
    }

    static SecAggClient.Unmasking unmasking(SecureAggregationReply r) {
        Map<Integer, BigInteger> self = new TreeMap<>();
        r.getSelfMaskSharesMap().forEach((u, b) -> self.put(u, new BigInteger(1, b.toByteArray())));
        Map<Integer, BigInteger> keys = new TreeMap<>();
        r.getMaskKeySharesMap().forEach((u, b) -> keys.put(u, new BigInteger(1, b.toByteArray())));
        return new SecAggClient.Unmasking(r.getFrom(), self, keys);
    }

    /** A host's side: the step asked of one of its clients. */
    static SecureAggregationReply answer(ClientHandle client, SecureAggregationStep step) {
        SecureAggregationReply.Builder out = SecureAggregationReply.newBuilder();
        try {
            switch (step.getStep()) {
                case 0 -> {
                    io.scarcity.api.ExpertState shape;
                    if (step.getSubject().equals(io.scarcity.runtime.client.SecureInsights.SUBJECT)) {
                        shape = client.secureInsightShape();
                    } else if (step.getSubject().startsWith("expert:")) {
                        shape = client.secureAggregationShape(step.getSubject().substring("expert:".length()));
                    } else {
                        throw new IllegalArgumentException("a shape is asked of an expert or of the insight, not of "
                                + step.getSubject());
                    }
                    out.setShape(ByteString.copyFrom(io.scarcity.network.wire.Codecs.EXPERT_STATE.encode(shape)));
                }
                case 1 -> out.addKeys(keys(client.secureAggregationKeys(step.getIndex(), step.getThreshold(), step.getSubject())));
                case 2 -> client.secureAggregationShares(step.getKeysList().stream().map(SecureAggregationWire::keys).toList())
                        .forEach(s -> out.addShares(share(s)));
                case 3 -> {
                    for (long w : client.secureAggregationInput(step.getSharesList().stream().map(SecureAggregationWire::share).toList())) {
                        out.addMasked(w);
                    }
                }
                case 4 -> {
                    SecAggClient.Unmasking u = client.secureAggregationUnmask(new TreeSet<>(step.getStayedList()),
                            new TreeSet<>(step.getLeftList()));
                    out.setFrom(u.from());
                    u.selfMaskShares().forEach((k, v) -> out.putSelfMaskShares(k, ByteString.copyFrom(v.toByteArray())));
                    u.maskKeyShares().forEach((k, v) -> out.putMaskKeyShares(k, ByteString.copyFrom(v.toByteArray())));
                }
                default -> throw new CallFailedException(ErrorKind.ERROR_KIND_INVALID_CALL, "no secure aggregation step "
                        + step.getStep());
            }
        } catch (IllegalStateException | IllegalArgumentException e) {
            throw new CallFailedException(ErrorKind.ERROR_KIND_INVALID_CALL, "secure aggregation step " + step.getStep()
                    + " refused: " + e.getMessage());
        }
        return out.build();
    }
}
