package io.scarcity.network.certs;

import io.scarcity.network.transport.TlsFiles;
import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.io.StringWriter;
import java.io.Writer;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.util.IPAddress;

/**
 * A federation's certificates: one certificate authority (self-signed), and a certificate per participant
 * signed by it, as PEM files. The coordinator's names {@code localhost}, {@code 127.0.0.1} and the hosts it
 * is reached at (its subject alternative names, which a host checks against the address it dials); a
 * client's carries its client id as common name. Presented by both sides of every connection (mutual TLS:
 * see {@link io.scarcity.network.transport.ChannelSecurity}), they are what makes a participant enrolled:
 * a host whose certificate the federation's CA did not sign cannot connect.
 *
 * <p>Files: the CA's folder holds {@value #CA_CERTIFICATE} and {@value #CA_KEY} (the key signs every
 * enrolment: keep it off the coordinator and the clients); each participant's folder holds a copy of the CA
 * certificate and its own certificate and key ({@link TlsFiles#inDirectory}), and is all that participant
 * needs. Private keys are written readable by their owner alone where the file system has POSIX
 * permissions; no file is ever overwritten.
 *
 * <p>Keys are ECDSA on P-256, signatures SHA-256. The certificates are built with Bouncy Castle
 * ({@code bcpkix}, MIT-style licence): the JDK can read and verify X.509 certificates but has no public API
 * to issue them, and Bouncy Castle is the long-maintained library made for exactly this, rather than code of
 * our own for ASN.1 and DER.
 */
public final class Certificates {
    /** The CA certificate's name in the CA's folder (and, as {@link TlsFiles#CA_CERTIFICATE}, in each participant's). */
    public static final String CA_CERTIFICATE = TlsFiles.CA_CERTIFICATE;
    /** The CA's private key's name in the CA's folder. */
    public static final String CA_KEY = "ca.key";
    /** How long a CA certificate is valid by default. */
    public static final Duration CA_VALIDITY = Duration.ofDays(10 * 365);
    /** How long a participant's certificate is valid by default. */
    public static final Duration PARTICIPANT_VALIDITY = Duration.ofDays(2 * 365);
    /** The common name of the coordinator's certificate. */
    public static final String COORDINATOR_NAME = "coordinator";
    /** Certificates start this long before they are made, so that a peer's clock a little behind accepts them. */
    private static final Duration CLOCK_SKEW = Duration.ofHours(1);
    private static final String SIGNATURE = "SHA256withECDSA";
    private static final SecureRandom RANDOM = new SecureRandom();

    private Certificates() {
    }

    /**
     * Creates a federation's CA in {@code dir} (created if missing): a new key pair and a self-signed
     * certificate naming the federation.
     *
     * @param federation a name for the federation, in every certificate's organisation
     * @throws IOException if {@code dir} already holds a CA (it is never overwritten) or cannot be written
     */
    public static Authority createAuthority(Path dir, String federation, Duration validity) throws IOException {
        requireName(federation, "federation");
        Files.createDirectories(dir);
        for (Path p : List.of(dir.resolve(CA_KEY), dir.resolve(CA_CERTIFICATE))) {
            if (Files.exists(p)) {
                throw new FileAlreadyExistsException(p.toString(), null, "a CA is never overwritten");
            }
        }
        KeyPair keys = newKeyPair();
        X500Name subject = name(federation, federation + " CA");
        Instant now = Instant.now();
        X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(subject, serial(), Date.from(now.minus(CLOCK_SKEW)),
                Date.from(now.plus(validity)), subject, keys.getPublic());
        try {
            JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
            b.addExtension(Extension.basicConstraints, true, new BasicConstraints(0));
            b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
            b.addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(keys.getPublic()));
            X509Certificate cert = sign(b, keys.getPrivate());
            writeNew(dir.resolve(CA_KEY), pem(new JcaPKCS8Generator(keys.getPrivate(), null)), true);
            writeNew(dir.resolve(CA_CERTIFICATE), pem(cert), false);
            return new Authority(federation, cert, keys.getPrivate());
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot create a CA: " + e.getMessage(), e);
        }
    }

    /** {@link #createAuthority(Path, String, Duration)} valid for {@link #CA_VALIDITY}. */
    public static Authority createAuthority(Path dir, String federation) throws IOException {
        return createAuthority(dir, federation, CA_VALIDITY);
    }

    /**
     * Loads the CA that {@link #createAuthority} wrote in {@code dir}, to enrol more participants.
     *
     * @throws IOException if the files are missing, unreadable, or the key is not the certificate's
     */
    public static Authority loadAuthority(Path dir) throws IOException {
        X509Certificate cert = readCertificate(dir.resolve(CA_CERTIFICATE));
        PrivateKey key = readPrivateKey(dir.resolve(CA_KEY));
        try {
            // the key must be the certificate's: sign something and verify it with the certificate
            java.security.Signature s = java.security.Signature.getInstance(SIGNATURE);
            s.initSign(key);
            s.update(new byte[] {1, 2, 3});
            byte[] signature = s.sign();
            s.initVerify(cert.getPublicKey());
            s.update(new byte[] {1, 2, 3});
            if (!s.verify(signature)) {
                throw new IOException(dir.resolve(CA_KEY) + " is not the key of " + dir.resolve(CA_CERTIFICATE));
            }
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot use the CA in " + dir + ": " + e.getMessage(), e);
        }
        String organisation = organisation(cert);
        return new Authority(organisation == null ? "" : organisation, cert, key);
    }

    /** Reads a PEM certificate (the first, if the file holds a chain). */
    public static X509Certificate readCertificate(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
        } catch (GeneralSecurityException e) {
            throw new IOException(file + " is not a PEM certificate: " + e.getMessage(), e);
        }
    }

    /** Reads a PEM private key in PKCS#8 ({@code BEGIN PRIVATE KEY}). */
    public static PrivateKey readPrivateKey(Path file) throws IOException {
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.US_ASCII); PEMParser parser = new PEMParser(r)) {
            Object o = parser.readObject();
            if (!(o instanceof PrivateKeyInfo info)) {
                throw new IOException(file + " is not an unencrypted PKCS#8 private key (BEGIN PRIVATE KEY)");
            }
            return new JcaPEMKeyConverter().getPrivateKey(info);
        }
    }

    /** The common name (CN) of a certificate's subject, or {@code null} without one. */
    public static String commonName(X509Certificate cert) {
        return attribute(cert, BCStyle.CN);
    }

    private static String organisation(X509Certificate cert) {
        return attribute(cert, BCStyle.O);
    }

    private static String attribute(X509Certificate cert, org.bouncycastle.asn1.ASN1ObjectIdentifier type) {
        try {
            X500Name subject = new JcaX509CertificateHolder(cert).getSubject();
            var rdns = subject.getRDNs(type);
            return rdns.length == 0 ? null : rdns[0].getFirst().getValue().toString();
        } catch (java.security.cert.CertificateEncodingException e) {
            throw new IllegalArgumentException("unreadable certificate: " + e.getMessage(), e);
        }
    }

    /** A federation's CA, loaded with its private key: it issues the participants' certificates. */
    public static final class Authority {
        private final String federation;
        private final X509Certificate certificate;
        private final PrivateKey key;

        private Authority(String federation, X509Certificate certificate, PrivateKey key) {
            this.federation = federation;
            this.certificate = certificate;
            this.key = key;
        }

        public X509Certificate certificate() {
            return certificate;
        }

        public String federation() {
            return federation;
        }

        /**
         * Enrols the coordinator: its certificate (common name {@value #COORDINATOR_NAME}; names
         * {@code localhost}, {@code 127.0.0.1} and {@code hosts}, host names or IP addresses, the ones clients
         * will dial) and key, with a copy of the CA certificate, in {@code dir}.
         */
        public TlsFiles issueCoordinator(Path dir, List<String> hosts) throws IOException {
            List<String> names = new ArrayList<>(List.of("localhost", "127.0.0.1"));
            names.addAll(hosts);
            return issue(dir, COORDINATOR_NAME, names, PARTICIPANT_VALIDITY);
        }

        /**
         * Enrols a client: its certificate (common name {@code clientId}) and key, with a copy of the CA
         * certificate, in {@code dir}. A host running several simulated clients is enrolled under one name.
         */
        public TlsFiles issueClient(Path dir, String clientId) throws IOException {
            return issue(dir, clientId, List.of(), PARTICIPANT_VALIDITY);
        }

        /**
         * Issues a participant's certificate, usable both to serve and to connect (a client may serve its
         * gossip peers), into {@code dir} (created if missing) as {@link TlsFiles#inDirectory} names them.
         *
         * @param commonName the participant's name, e.g. its client id
         * @param hosts host names or IP addresses it is reached at (subject alternative names); may be empty
         * @throws IOException if {@code dir} already holds a certificate or key (never overwritten), or cannot be written
         */
        public TlsFiles issue(Path dir, String commonName, List<String> hosts, Duration validity) throws IOException {
            requireName(commonName, "common name");
            Files.createDirectories(dir);
            TlsFiles files = TlsFiles.inDirectory(dir);
            for (Path p : List.of(files.certificateChain(), files.privateKey())) {
                if (Files.exists(p)) {
                    throw new FileAlreadyExistsException(p.toString(), null, "a participant's certificate and key are never overwritten");
                }
            }
            KeyPair keys = newKeyPair();
            Instant now = Instant.now();
            try {
                X500Name issuer = new JcaX509CertificateHolder(certificate).getSubject();
                X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(issuer, serial(),
                        Date.from(now.minus(CLOCK_SKEW)), Date.from(now.plus(validity)), name(federation, commonName),
                        keys.getPublic());
                JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
                b.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
                b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyAgreement));
                b.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(
                        new KeyPurposeId[] {KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth}));
                b.addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(keys.getPublic()));
                b.addExtension(Extension.authorityKeyIdentifier, false, ext.createAuthorityKeyIdentifier(certificate));
                Set<String> unique = new LinkedHashSet<>(hosts);
                if (!unique.isEmpty()) {
                    List<GeneralName> names = new ArrayList<>();
                    for (String h : unique) {
                        requireName(h, "host");
                        boolean ip = IPAddress.isValid(h);
                        names.add(new GeneralName(ip ? GeneralName.iPAddress : GeneralName.dNSName, h));
                    }
                    b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(names.toArray(GeneralName[]::new)));
                }
                X509Certificate cert = sign(b, key);
                writeNew(files.privateKey(), pem(new JcaPKCS8Generator(keys.getPrivate(), null)), true);
                writeNew(files.certificateChain(), pem(cert), false);
                Path ca = files.caCertificate();
                String caPem = pem(certificate);
                if (!Files.exists(ca)) {
                    writeNew(ca, caPem, false);
                } else if (!Files.readString(ca, StandardCharsets.US_ASCII).equals(caPem)) {
                    throw new IOException(ca + " is another CA's certificate");
                }
                return files;
            } catch (GeneralSecurityException e) {
                throw new IOException("cannot issue a certificate for " + commonName + ": " + e.getMessage(), e);
            }
        }
    }

    // ---- helpers

    private static KeyPair newKeyPair() throws IOException {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
            g.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
            return g.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot generate an EC key pair: " + e.getMessage(), e);
        }
    }

    private static X509Certificate sign(X509v3CertificateBuilder b, PrivateKey signer) throws GeneralSecurityException {
        try {
            return new JcaX509CertificateConverter().getCertificate(b.build(new JcaContentSignerBuilder(SIGNATURE).build(signer)));
        } catch (OperatorCreationException e) {
            throw new GeneralSecurityException("cannot sign: " + e.getMessage(), e);
        }
    }

    /** A random positive 128-bit serial number: unique without a registry of issued serials. */
    private static BigInteger serial() {
        return new BigInteger(128, RANDOM).setBit(127);
    }

    private static X500Name name(String organisation, String commonName) {
        return new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.O, organisation).addRDN(BCStyle.CN, commonName).build();
    }

    private static void requireName(String s, String what) {
        Objects.requireNonNull(s, what + " is null");
        if (s.isBlank() || s.chars().anyMatch(Character::isISOControl)) {
            throw new IllegalArgumentException("invalid " + what + ": '" + s + "'");
        }
    }

    private static String pem(Object o) throws IOException {
        StringWriter s = new StringWriter();
        try (JcaPEMWriter w = new JcaPEMWriter(s)) {
            if (o instanceof JcaPKCS8Generator g) {
                w.writeObject(g);
            } else {
                w.writeObject(o);
            }
        }
        return s.toString();
    }

    /** Writes a file that must not exist yet; a private key readable by its owner alone (POSIX). */
    private static void writeNew(Path file, String text, boolean secret) throws IOException {
        boolean posix = file.getFileSystem().supportedFileAttributeViews().contains("posix");
        if (secret && posix) {
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } else {
            Files.createFile(file);
        }
        try (Writer w = Files.newBufferedWriter(file, StandardCharsets.US_ASCII, StandardOpenOption.TRUNCATE_EXISTING)) {
            w.write(text);
        }
    }
}
