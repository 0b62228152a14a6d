package io.scarcity.runtime.secagg;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.interfaces.XECPrivateKey;
import java.security.spec.NamedParameterSpec;
import java.security.spec.XECPrivateKeySpec;
import java.security.spec.XECPublicKeySpec;
import javax.crypto.Cipher;
import javax.crypto.KeyAgreement;
import javax.crypto.Mac;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * The primitives secure aggregation needs, all from the JDK: X25519 key agreement ("XDH"), HKDF-SHA256 (RFC 5869,
 * over {@code HmacSHA256}), AES-256-GCM for the shares sent through the coordinator, and a pseudo-random generator
 * of 64-bit mask words (AES-256 in counter mode, keyed by a 32-byte seed).
 */
final class Crypto {
    private Crypto() {
    }

    static KeyPair x25519() {
        try {
            return KeyPairGenerator.getInstance("X25519").generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("this JDK has no X25519", e);
        }
    }

    /** The 32-byte scalar of an X25519 private key (what is secret-shared). */
    static byte[] scalar(PrivateKey key) {
        return ((XECPrivateKey) key).getScalar().orElseThrow(() -> new IllegalStateException("the key hides its scalar"));
    }

    static PrivateKey privateKey(byte[] scalar) {
        try {
            return KeyFactory.getInstance("XDH").generatePrivate(new XECPrivateKeySpec(NamedParameterSpec.X25519, scalar));
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("not an X25519 private key", e);
        }
    }

    /** A public key as its 32-byte u-coordinate, little-endian (RFC 7748). */
    static byte[] encode(PublicKey key) {
        java.math.BigInteger u = ((java.security.interfaces.XECPublicKey) key).getU();
        byte[] be = u.toByteArray();
        byte[] le = new byte[32];
        for (int i = 0; i < Math.min(32, be.length); i++) {
            le[i] = be[be.length - 1 - i];
        }
        return le;
    }

    static PublicKey publicKey(byte[] encoded) {
        if (encoded.length != 32) {
            throw new IllegalArgumentException("an X25519 public key has 32 bytes, got " + encoded.length);
        }
        byte[] be = new byte[32];
        for (int i = 0; i < 32; i++) {
            be[i] = encoded[31 - i];
        }
        be[0] &= 0x7f; // RFC 7748: the top bit is masked
        try {
            return KeyFactory.getInstance("XDH").generatePublic(
                    new XECPublicKeySpec(NamedParameterSpec.X25519, new java.math.BigInteger(1, be)));
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("not an X25519 public key", e);
        }
    }

    /** HKDF-SHA256 of the X25519 secret of {@code mine} and {@code theirs}, for {@code purpose}: 32 bytes. */
    static byte[] agree(PrivateKey mine, PublicKey theirs, String purpose) {
        try {
            KeyAgreement ka = KeyAgreement.getInstance("XDH");
            ka.init(mine);
            ka.doPhase(theirs, true);
            return hkdf(ka.generateSecret(), purpose);
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("key agreement failed: " + e.getMessage(), e);
        }
    }

    static byte[] hkdf(byte[] secret, String info) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(new byte[32], "HmacSHA256")); // extract, salt of zeros
            byte[] prk = mac.doFinal(secret);
            mac.init(new SecretKeySpec(prk, "HmacSHA256")); // expand, one block
            mac.update(info.getBytes(StandardCharsets.UTF_8));
            mac.update((byte) 1);
            return mac.doFinal();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    static byte[] seal(byte[] key, byte[] plain, byte[] associated, SecureRandom random) {
        try {
            byte[] iv = new byte[12];
            random.nextBytes(iv);
            Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
            c.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "AES"), new GCMParameterSpec(128, iv));
            c.updateAAD(associated);
            byte[] body = c.doFinal(plain);
            return ByteBuffer.allocate(12 + body.length).put(iv).put(body).array();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** @throws IllegalArgumentException if the ciphertext or its associated data were changed */
    static byte[] open(byte[] key, byte[] sealed, byte[] associated) {
        if (sealed.length < 12 + 16) {
            throw new IllegalArgumentException("a sealed share too short to be one");
        }
        try {
            Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
            c.init(Cipher.DECRYPT_MODE, new SecretKeySpec(key, "AES"), new GCMParameterSpec(128, sealed, 0, 12));
            c.updateAAD(associated);
            return c.doFinal(sealed, 12, sealed.length - 12);
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("a share that does not open: it was changed, or is not for this client", e);
        }
    }

    /** {@code length} 64-bit words from the AES-CTR stream of {@code seed}, added ({@code sign} 1) or subtracted (-1). */
    static void addMask(long[] into, byte[] seed, int sign) {
        try {
            Cipher c = Cipher.getInstance("AES/CTR/NoPadding");
            c.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(seed, "AES"), new IvParameterSpec(new byte[16]));
            int chunk = 1024;
            byte[] zeros = new byte[8 * chunk];
            for (int start = 0; start < into.length; start += chunk) {
                int n = Math.min(chunk, into.length - start);
                ByteBuffer words = ByteBuffer.wrap(c.update(zeros, 0, 8 * n));
                for (int i = 0; i < n; i++) {
                    into[start + i] += sign * words.getLong();
                }
            }
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
