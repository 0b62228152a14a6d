package io.scarcity.network.cli;

import io.scarcity.network.certs.Certificates;
import io.scarcity.runtime.UserException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "certs", mixinStandardHelpOptions = true,
        header = "Makes a federation's certificates: a CA, the coordinator's, one per client host.",
        description = {"Makes the certificates of a federation: 'ca' once (keep its folder private), then one",
                "'coordinator' and one 'client' per host. Each participant's folder (ca.pem, cert.pem, key.pem)",
                "is what it passes as --tls-dir."})
final class CertsCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "WHAT", description = "ca, coordinator or client")
    String what;

    @Option(names = "--ca", paramLabel = "DIR", required = true, description = "The federation CA's folder.")
    Path ca;

    @Option(names = "--out", paramLabel = "DIR", description = "The participant's folder to create (coordinator, client).")
    Path out;

    @Option(names = "--name", paramLabel = "NAME",
            description = "ca: the federation's name; client: the host's id (its certificate's common name).")
    String name;

    @Option(names = "--host", paramLabel = "NAME", description = "coordinator: a DNS name or IP hosts dial (repeatable; localhost and 127.0.0.1 are always in).")
    List<String> hosts = new ArrayList<>();

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        var out = spec.commandLine().getOut();
        try {
            switch (what) {
                case "ca" -> {
                    Certificates.createAuthority(ca, name == null ? "scarcity federation" : name);
                    out.println("federation CA written to " + ca + " (keep it private: it enrols participants)");
                }
                case "coordinator" -> {
                    Certificates.loadAuthority(ca).issueCoordinator(requireOut(), hosts);
                    out.println("coordinator certificate written to " + this.out + "; start it with --tls-dir " + this.out);
                }
                case "client" -> {
                    if (name == null) {
                        throw new UserException("certs client: give --name, the host's id");
                    }
                    Certificates.loadAuthority(ca).issueClient(requireOut(), name);
                    out.println("client certificate of " + name + " written to " + this.out + "; start it with --tls-dir " + this.out);
                }
                default -> throw new UserException("certs " + what + ": expected ca, coordinator or client");
            }
        } catch (java.io.IOException e) {
            throw new UserException("certs " + what + ": " + e.getMessage());
        }
        return 0;
    }

    private Path requireOut() {
        if (out == null) {
            throw new UserException("certs " + what + ": give --out DIR, the participant's folder");
        }
        return out;
    }
}
