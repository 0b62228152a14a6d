package io.scarcity.runtime.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.scarcity.runtime.UserException;
import io.scarcity.runtime.audit.AuditKeys;
import io.scarcity.runtime.audit.AuditLog;
import io.scarcity.runtime.audit.AuditVerifier;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PublicKey;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "audit", mixinStandardHelpOptions = true,
        description = "The coordinator's tamper-evident audit log (audit.jsonl in a run folder).",
        subcommands = {AuditCommand.Verify.class})
final class AuditCommand implements Runnable {
    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new picocli.CommandLine.ParameterException(spec.commandLine(), "say what to do: scarcity audit verify RUN_DIR");
    }

    @Command(name = "verify", mixinStandardHelpOptions = true,
            description = {"Checks every entry of RUN_DIR/audit.jsonl: its sequence number, its hash, its link to the entry",
                "before it and the coordinator's signature; and, for a finished run, that no entry is missing at the end.",
                "Exit 0 if intact; 2 naming the first broken or missing entry."})
    static final class Verify implements Callable<Integer> {
        @Parameters(paramLabel = "RUN_DIR", description = "A run folder (or its audit.jsonl).")
        Path runDir;

        @Option(names = "--key", paramLabel = "FILE", description = {"The coordinator's public key (PEM), kept apart from the",
            "run folder. Without it the key in the log's first entry is used, which shows the log consistent with",
            "itself only: someone who rewrote the whole log could have put their own key there."})
        Path key;

        @Spec
        picocli.CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() throws IOException {
            Path dir = Files.isRegularFile(runDir) ? runDir.toAbsolutePath().getParent() : runDir;
            Path log = Files.isRegularFile(runDir) ? runDir : runDir.resolve(AuditLog.FILE);
            if (!Files.isDirectory(dir)) {
                throw new UserException(runDir + " is not a run folder; give the folder a run wrote (e.g. runs/quickstart-...)");
            }
            if (!Files.isRegularFile(log)) {
                throw new UserException(dir + " has no " + AuditLog.FILE + ": the run was made with privacy.audit.enabled: false,"
                        + " or by a version without the audit log");
            }
            PublicKey pinned = key == null ? null : AuditKeys.readPublic(key, "--key");
            AuditVerifier.Result r;
            try {
                r = AuditVerifier.verify(log, pinned);
            } catch (IOException e) {
                throw new UserException("cannot read " + log + ": " + e.getMessage());
            }
            if (!r.intact() && !r.unsignedTail()) {
                throw new UserException(log + ": " + r.problem() + (r.entries() > 0 ? "; the " + r.entries()
                        + " entries before it are intact" : ""));
            }
            String missing = missingAtTheEnd(dir, r);
            if (missing != null) {
                throw new UserException(log + ": " + missing);
            }
            if (r.unsignedTail()) {
                throw new UserException(log + ": " + r.problem());
            }
            var out = spec.commandLine().getOut();
            out.println(log + " is intact: " + r.entries() + " entries, the last '" + r.lastType() + "', head " + r.lastHash());
            out.println("  signed by the key " + AuditVerifier.fingerprint(r.key()) + (pinned != null ? " (given with --key)"
                    : " (from the log's own first entry; give --key with the coordinator's public key kept apart to"
                    + " rule out a rewritten log)"));
            return 0;
        }

        /** For a finished run, summary.json records the log's length and head: entries cut off at the end show. */
        private static String missingAtTheEnd(Path dir, AuditVerifier.Result r) {
            Path summary = dir.resolve("summary.json");
            if (!Files.isRegularFile(summary)) {
                return null;
            }
            JsonNode audit;
            try {
                audit = new ObjectMapper().readTree(summary.toFile()).path("audit");
            } catch (IOException e) {
                return null; // a summary that cannot be read says nothing about the log
            }
            if (!audit.path("entries").canConvertToLong()) {
                return null;
            }
            long recorded = audit.get("entries").asLong();
            if (recorded > r.entries()) {
                return "entries " + r.entries() + ".." + (recorded - 1) + " are missing: the log ends after entry "
                        + (r.entries() - 1) + ", and summary.json records " + recorded + " entries when the run ended";
            }
            if (recorded == r.entries() && !audit.path("head").asText().equals(r.lastHash())) {
                return "entry " + (recorded - 1) + " is not the one the run ended with (summary.json records another head)";
            }
            return null;
        }
    }
}
