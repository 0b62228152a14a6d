package io.scarcity.network.cli;

import io.scarcity.network.transport.ChannelSecurity;
import io.scarcity.network.transport.TlsFiles;
import io.scarcity.runtime.UserException;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** {@code --tls-dir DIR} (mutual TLS with the federation's certificates) or {@code --insecure} (plaintext, warned). */
final class Security {
    @Option(names = "--tls-dir", paramLabel = "DIR",
            description = "Folder with this participant's ca.pem, cert.pem and key.pem (made by 'scarcity certs'). TLS is the default.")
    Path tlsDir;

    @Option(names = "--insecure", description = "Plaintext, no authentication: for a trusted network or loopback tests only.")
    boolean insecure;

    ChannelSecurity resolve(java.io.PrintWriter err) {
        if (insecure && tlsDir != null) {
            throw new UserException("give either --tls-dir DIR or --insecure, not both");
        }
        if (insecure) {
            err.println("warning: --insecure: connections are plaintext and nobody is authenticated; use --tls-dir outside a trusted network");
            return ChannelSecurity.insecure();
        }
        if (tlsDir == null) {
            throw new UserException("connections use TLS: give --tls-dir DIR with this participant's certificates "
                    + "(scarcity certs --help says how to make them), or --insecure for plaintext on a trusted network");
        }
        for (String f : new String[] {"ca.pem", "cert.pem", "key.pem"}) {
            if (!Files.isRegularFile(tlsDir.resolve(f))) {
                throw new UserException("--tls-dir " + tlsDir + " has no " + f + "; make the folder with 'scarcity certs'");
            }
        }
        return ChannelSecurity.mutualTls(TlsFiles.inDirectory(tlsDir));
    }

    /** HOST:PORT split, with a clear error. */
    static String[] hostPort(String value, String option) {
        int colon = value.lastIndexOf(':');
        if (colon <= 0 || colon == value.length() - 1) {
            throw new UserException(option + " " + value + ": expected HOST:PORT, e.g. 127.0.0.1:7400");
        }
        try {
            int port = Integer.parseInt(value.substring(colon + 1));
            if (port < 0 || port > 65535) {
                throw new NumberFormatException();
            }
        } catch (NumberFormatException e) {
            throw new UserException(option + " " + value + ": the port must be a number in 0..65535");
        }
        return new String[] {value.substring(0, colon), value.substring(colon + 1)};
    }
}
