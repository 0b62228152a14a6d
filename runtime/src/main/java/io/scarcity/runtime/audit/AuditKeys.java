package io.scarcity.runtime.audit;

import io.scarcity.runtime.UserException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;

/**
 * The coordinator's Ed25519 signing key for the audit log, in PEM files: the private key as PKCS#8
 * ({@code -----BEGIN PRIVATE KEY-----}, as {@code openssl genpkey -algorithm ed25519} writes it), the public key as
 * X.509 SubjectPublicKeyInfo ({@code -----BEGIN PUBLIC KEY-----}, as {@code openssl pkey -pubout} writes it).
 * The JDK's own Ed25519 (JDK 15+) signs and verifies.
 */
public final class AuditKeys {
    private AuditKeys() {
    }

    /** A new key pair. */
    public static KeyPair generate() {
        try {
            return KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("this JDK has no Ed25519", e);
        }
    }

    /** Writes the private key readable by its owner only (where the file system has POSIX permissions). */
    public static void writePrivate(Path file, PrivateKey key) throws IOException {
        String pem = pem("PRIVATE KEY", key.getEncoded());
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.deleteIfExists(tmp);
        try {
            Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } catch (UnsupportedOperationException e) {
            Files.createFile(tmp);
        }
        Files.writeString(tmp, pem, StandardCharsets.US_ASCII);
        Files.move(tmp, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    public static void writePublic(Path file, PublicKey key) throws IOException {
        Files.writeString(file, pem("PUBLIC KEY", key.getEncoded()), StandardCharsets.US_ASCII);
    }

    public static PrivateKey readPrivate(Path file, String what) {
        byte[] der = der(file, "PRIVATE KEY", what);
        try {
            return KeyFactory.getInstance("Ed25519").generatePrivate(new PKCS8EncodedKeySpec(der));
        } catch (GeneralSecurityException e) {
            throw new UserException(what + " " + file + " is not an Ed25519 private key (PKCS#8 PEM): " + e.getMessage()
                    + "; make one with: openssl genpkey -algorithm ed25519 -out " + file.getFileName());
        }
    }

    public static PublicKey readPublic(Path file, String what) {
        byte[] der = der(file, "PUBLIC KEY", what);
        try {
            return KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(der));
        } catch (GeneralSecurityException e) {
            throw new UserException(what + " " + file + " is not an Ed25519 public key (PEM): " + e.getMessage()
                    + "; get it from the private key with: openssl pkey -in KEY.pem -pubout");
        }
    }

    /** Whether {@code publicKey} verifies what {@code privateKey} signs (a probe signature). */
    public static boolean pair(PrivateKey privateKey, PublicKey publicKey) {
        try {
            byte[] probe = "scarcity audit key probe".getBytes(StandardCharsets.US_ASCII);
            java.security.Signature s = java.security.Signature.getInstance("Ed25519");
            s.initSign(privateKey);
            s.update(probe);
            byte[] sig = s.sign();
            java.security.Signature v = java.security.Signature.getInstance("Ed25519");
            v.initVerify(publicKey);
            v.update(probe);
            return v.verify(sig);
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    private static byte[] der(Path file, String label, String what) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new UserException("cannot read " + what + " " + file + ": " + e.getMessage());
        }
        String begin = "-----BEGIN " + label + "-----";
        String end = "-----END " + label + "-----";
        int b = text.indexOf(begin);
        int e = text.indexOf(end);
        if (b < 0 || e < b) {
            throw new UserException(what + " " + file + " has no '" + begin + "' block; expected a PEM file");
        }
        try {
            return Base64.getMimeDecoder().decode(text.substring(b + begin.length(), e));
        } catch (IllegalArgumentException x) {
            throw new UserException(what + " " + file + " is not valid PEM (base64): " + x.getMessage());
        }
    }

    static String pem(String label, byte[] der) {
        return "-----BEGIN " + label + "-----\n" + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                .encodeToString(der) + "\n-----END " + label + "-----\n";
    }
}
