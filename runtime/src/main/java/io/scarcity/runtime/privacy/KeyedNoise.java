package io.scarcity.runtime.privacy;

import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Discrete Gaussian noise for one release, drawn from an AES-256 counter-mode stream under a 32-byte key (derived by the
 * caller with {@link #hmac} from a client's secret and what the release is): the same key gives the same noise, so a
 * release made again with the same values is the same release, and another key an independent draw.
 */
final class KeyedNoise {
    private final Cipher stream;
    private final DiscreteGaussian gaussian;

    KeyedNoise(byte[] key) {
        try {
            stream = Cipher.getInstance("AES/CTR/NoPadding");
            stream.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "AES"), new IvParameterSpec(new byte[16]));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("this JDK has no AES", e);
        }
        gaussian = new DiscreteGaussian(new StreamBits());
    }

    /** A sample of the discrete Gaussian N_Z(0, sigma2) from the stream. */
    long sample(BigInteger sigma2) {
        return gaussian.sample(sigma2);
    }

    /** HMAC-SHA256 of {@code message} under {@code key}. */
    static byte[] hmac(byte[] key, byte[] message) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac.doFinal(message);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The keyed AES-CTR stream as uniform bits, a block at a time. */
    private final class StreamBits extends java.util.Random {
        private ByteBuffer block;

        @Override
        protected int next(int bitCount) {
            if (block == null || block.remaining() < 4) {
                block = ByteBuffer.wrap(stream.update(new byte[512]));
            }
            return block.getInt() >>> (32 - bitCount);
        }
    }
}
