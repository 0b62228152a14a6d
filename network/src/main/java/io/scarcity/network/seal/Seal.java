package io.scarcity.network.seal;

import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * AES-256-GCM sealing under a key derived from an X25519 shared secret: HKDF-SHA256 with the context
 * ({@link SealContext}) and both hosts' public keys (sender's, then receiver's) as info, a fresh random 12-byte
 * nonce per state, the context as associated data. A sealed state is {@code nonce || ciphertext || tag}.
 */
public final class Seal {
    /** Bytes a sealed state has beyond its plaintext: the nonce and the authentication tag. */
    public static final int OVERHEAD = 12 + 16;
    private static final int NONCE_BYTES = 12;
    private static final int TAG_BITS = 128;
    private static final byte[] SALT = "scarcity sealed gossip salt v1".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    private static final SecureRandom RANDOM = new SecureRandom();

    private Seal() {
    }

    /** Seals {@code plaintext} (a fresh nonce each time). */
    static byte[] seal(byte[] sharedSecret, byte[] senderKey, byte[] receiverKey, SealContext context, byte[] plaintext)
            throws GeneralSecurityException {
        byte[] nonce = new byte[NONCE_BYTES];
        RANDOM.nextBytes(nonce);
        Cipher c = cipher(Cipher.ENCRYPT_MODE, sharedSecret, senderKey, receiverKey, context, nonce);
        byte[] out = new byte[NONCE_BYTES + c.getOutputSize(plaintext.length)];
        System.arraycopy(nonce, 0, out, 0, NONCE_BYTES);
        c.doFinal(plaintext, 0, plaintext.length, out, NONCE_BYTES);
        return out;
    }

    /**
     * Opens what {@link #seal} made with the same secret, keys and context.
     *
     * @throws SealException if it was altered, sealed under another key, or for another context
     */
    static byte[] open(byte[] sharedSecret, byte[] senderKey, byte[] receiverKey, SealContext context, byte[] sealed)
            throws SealException {
        if (sealed.length < OVERHEAD) {
            throw new SealException("the sealed state (" + context + ") is " + sealed.length + " bytes, too short to be one");
        }
        try {
            Cipher c = cipher(Cipher.DECRYPT_MODE, sharedSecret, senderKey, receiverKey, context,
                    Arrays.copyOfRange(sealed, 0, NONCE_BYTES));
            return c.doFinal(sealed, NONCE_BYTES, sealed.length - NONCE_BYTES);
        } catch (AEADBadTagException e) {
            throw new SealException("the sealed state (" + context + ") does not open: altered on the way, sealed to another"
                    + " key, or for another pair, round, expert or direction");
        } catch (GeneralSecurityException e) {
            throw new SealException("cannot open the sealed state (" + context + "): " + e.getMessage(), e);
        }
    }

    private static Cipher cipher(int mode, byte[] sharedSecret, byte[] senderKey, byte[] receiverKey, SealContext context,
                                 byte[] nonce) throws GeneralSecurityException {
        byte[] aad = context.associatedData();
        byte[] info = new Fields("key").bytes(aad).bytes(senderKey).bytes(receiverKey).toByteArray();
        byte[] key = Hkdf.derive(SALT, sharedSecret, info, 32);
        try {
            Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
            c.init(mode, new SecretKeySpec(key, "AES"), new GCMParameterSpec(TAG_BITS, nonce));
            c.updateAAD(aad);
            return c;
        } finally {
            Arrays.fill(key, (byte) 0);
        }
    }
}
