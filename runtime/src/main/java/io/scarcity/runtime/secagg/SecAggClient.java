package io.scarcity.runtime.secagg;

import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.security.KeyPair;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * One client's side of secure aggregation (Bonawitz et al., "Practical Secure Aggregation for Privacy-Preserving
 * Machine Learning", CCS 2017; with the neighbourhood graph of Bell et al., CCS 2020, SecAgg+): the coordinator gets
 * this client's input masked by a self-mask and by a pairwise mask with each neighbour, which cancel in the sum, and
 * enough Shamir shares of the self-mask's seed (for clients that stay) or of the pairwise-mask key (for clients that
 * drop out) to remove what does not cancel, and never both for one client.
 *
 * <p>The steps, each answering the coordinator's message of the step before: {@link #advertise}, {@link #shareKeys},
 * {@link #maskedInput}, {@link #unmask}. One instance serves one aggregation.
 */
public final class SecAggClient {
    /** Step 1: a client's two public keys (X25519, 32 bytes each): one to seal shares, one for pairwise masks. */
    public record Keys(int id, byte[] sealing, byte[] masking) {
    }

    /** A share sealed by {@code from} for {@code to}, carried by the coordinator, which cannot open it. */
    public record SealedShare(int from, int to, byte[] sealed) {
    }

    /** Step 4: the shares a client releases: of the self-mask seeds of clients that stayed, of the mask keys of those that left. */
    public record Unmasking(int from, Map<Integer, BigInteger> selfMaskShares, Map<Integer, BigInteger> maskKeyShares) {
    }

    private final int id;
    private final int threshold;
    private final SecureRandom random;
    private final KeyPair sealing = Crypto.x25519();
    private final KeyPair masking = Crypto.x25519();
    private final byte[] selfSeed = new byte[32];
    private Map<Integer, Keys> neighbours;
    /** Shares others sealed for this client: per client, [its self-mask seed's share, its mask key's share]. */
    private final Map<Integer, BigInteger[]> held = new HashMap<>();
    private final Set<Integer> selfMaskReleased = new HashSet<>();
    private final Set<Integer> maskKeyReleased = new HashSet<>();
    private Set<Integer> sharedWith;

    public SecAggClient(int id, int threshold, SecureRandom random) {
        this.id = id;
        this.threshold = threshold;
        this.random = random;
        random.nextBytes(selfSeed);
    }

    public int id() {
        return id;
    }

    public Keys advertise() {
        return new Keys(id, Crypto.encode(sealing.getPublic()), Crypto.encode(masking.getPublic()));
    }

    /**
     * Step 2: given its neighbours' keys (from the coordinator), shares its self-mask seed and its mask key among them
     * (and itself), {@code threshold} shares needed to rebuild either, each share sealed for its holder.
     */
    public List<SealedShare> shareKeys(List<Keys> neighbourKeys) {
        if (neighbours != null) {
            throw new IllegalStateException("client " + id + " has shared its keys already in this aggregation");
        }
        // a majority of the neighbourhood: two disjoint groups of answerers cannot both reach the threshold, so a
        // coordinator that tells some neighbours this client left and others that it stayed cannot get both its secrets
        if (threshold < 2 || 2 * threshold <= neighbourKeys.size() + 1) {
            throw new IllegalStateException("client " + id + " refuses a threshold of " + threshold + " over a neighbourhood of "
                    + (neighbourKeys.size() + 1) + ": it must be at least 2 and more than half of it");
        }
        if (neighbourKeys.size() + 1 < threshold) {
            throw new IllegalStateException("client " + id + " has " + neighbourKeys.size() + " neighbours, fewer than the threshold "
                    + threshold + ": its masks could not be removed");
        }
        neighbours = new TreeMap<>();
        for (Keys k : neighbourKeys) {
            if (k.id() == id) {
                throw new IllegalArgumentException("a client is not its own neighbour");
            }
            neighbours.put(k.id(), k);
        }
        BigInteger[] self = Shamir.polynomial(selfSeed, threshold, random);
        BigInteger[] key = Shamir.polynomial(Crypto.scalar(masking.getPrivate()), threshold, random);
        // its own share of its self-mask seed, released at the end if it is still there (its mask key's share never is)
        held.put(id, new BigInteger[] {Shamir.evaluate(self, id + 1), null});
        List<SealedShare> out = new java.util.ArrayList<>();
        for (Keys v : neighbours.values()) {
            byte[] a = fixed(Shamir.evaluate(self, v.id() + 1));
            byte[] b = fixed(Shamir.evaluate(key, v.id() + 1));
            byte[] plain = ByteBuffer.allocate(8 + a.length + b.length).putInt(a.length).put(a).putInt(b.length).put(b).array();
            byte[] sealKey = Crypto.agree(sealing.getPrivate(), Crypto.publicKey(v.sealing()), "scarcity secagg seal");
            out.add(new SealedShare(id, v.id(), Crypto.seal(sealKey, plain, route(id, v.id()), random)));
        }
        return out;
    }

    /**
     * Step 3: opens the shares sealed for it (those of the neighbours that got as far as step 2) and returns its input
     * plus its self-mask plus a pairwise mask with each of those neighbours (added towards higher ids, subtracted towards
     * lower ones), all mod 2^64. The input is not changed.
     */
    public long[] maskedInput(List<SealedShare> forMe, long[] input) {
        if (neighbours == null) {
            throw new IllegalStateException("client " + id + " has not shared its keys");
        }
        if (sharedWith != null) {
            // a second masked input would differ from the first by the input alone (the same masks): never twice
            throw new IllegalStateException("client " + id + " has sent its masked input already in this aggregation");
        }
        Set<Integer> senders = new HashSet<>();
        for (SealedShare s : forMe) {
            if (!senders.add(s.from())) {
                throw new IllegalArgumentException("client " + id + " got two shares from client " + s.from());
            }
        }
        if (senders.size() + 1 < threshold) {
            throw new IllegalStateException("client " + id + " got shares from " + senders.size() + " neighbours, too few for"
                    + " the threshold " + threshold + ": it sends no input");
        }
        sharedWith = new HashSet<>();
        for (SealedShare s : forMe) {
            Keys from = neighbours.get(s.from());
            if (s.to() != id || from == null) {
                throw new IllegalArgumentException("client " + id + " got a share from " + s.from() + " for " + s.to()
                        + ", not from one of its neighbours to it");
            }
            byte[] sealKey = Crypto.agree(sealing.getPrivate(), Crypto.publicKey(from.sealing()), "scarcity secagg seal");
            ByteBuffer plain = ByteBuffer.wrap(Crypto.open(sealKey, s.sealed(), route(s.from(), id)));
            byte[] a = new byte[plain.getInt()];
            plain.get(a);
            byte[] b = new byte[plain.getInt()];
            plain.get(b);
            held.put(s.from(), new BigInteger[] {new BigInteger(1, a), new BigInteger(1, b)});
            sharedWith.add(s.from());
        }
        long[] y = input.clone();
        Crypto.addMask(y, selfSeed, 1);
        for (int v : sharedWith) {
            Crypto.addMask(y, pairSeed(masking.getPrivate(), neighbours.get(v).masking()), id < v ? 1 : -1);
        }
        return y;
    }

    /**
     * Step 4: for the neighbours whose masked input reached the coordinator ({@code stayed}), the shares of their self-mask
     * seeds; for those that shared keys but sent no input ({@code left}), the shares of their mask keys.
     *
     * @throws IllegalStateException if a client is named in both, or was answered the other way before (that would
     *         give the coordinator both masks of one input), or fewer than the threshold stayed
     */
    public Unmasking unmask(Set<Integer> stayed, Set<Integer> left) {
        for (int u : stayed) {
            if (left.contains(u) || maskKeyReleased.contains(u)) {
                throw new IllegalStateException("client " + id + " refuses to release both masks of client " + u);
            }
        }
        for (int u : left) {
            if (selfMaskReleased.contains(u)) {
                throw new IllegalStateException("client " + id + " refuses to release both masks of client " + u);
            }
        }
        if (stayed.size() + 1 < threshold) {
            throw new IllegalStateException("only " + (stayed.size() + 1) + " of client " + id + "'s neighbourhood sent their input,"
                    + " fewer than the threshold " + threshold + ": it releases nothing");
        }
        Map<Integer, BigInteger> self = new TreeMap<>();
        Map<Integer, BigInteger> keys = new TreeMap<>();
        for (Map.Entry<Integer, BigInteger[]> e : held.entrySet()) {
            if (e.getKey() == id || stayed.contains(e.getKey())) {
                self.put(e.getKey(), e.getValue()[0]);
                selfMaskReleased.add(e.getKey());
            } else if (left.contains(e.getKey())) {
                keys.put(e.getKey(), e.getValue()[1]);
                maskKeyReleased.add(e.getKey());
            }
        }
        return new Unmasking(id, self, keys);
    }

    /** The seed of the pairwise mask between the holder of {@code mine} and the owner of {@code theirs}. */
    static byte[] pairSeed(java.security.PrivateKey mine, byte[] theirs) {
        return Crypto.agree(mine, Crypto.publicKey(theirs), "scarcity secagg mask");
    }

    /** Bytes of a share on the wire: every field element in the same 66 bytes, so that message sizes say nothing. */
    static final int SHARE_BYTES = (Shamir.PRIME.bitLength() + 7) / 8;

    static byte[] fixed(BigInteger share) {
        byte[] raw = share.toByteArray();
        byte[] out = new byte[SHARE_BYTES];
        int copy = Math.min(raw.length, SHARE_BYTES);
        System.arraycopy(raw, raw.length - copy, out, SHARE_BYTES - copy, copy);
        return out;
    }

    /** The associated data of a share: who sealed it for whom (a share moved to another pair does not open). */
    static byte[] route(int from, int to) {
        return ByteBuffer.allocate(8).putInt(from).putInt(to).array();
    }

    /** For tests: the public key a neighbour's pairwise mask uses. */
    PublicKey maskingKey() {
        return masking.getPublic();
    }
}
