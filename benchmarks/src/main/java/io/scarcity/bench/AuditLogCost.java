package io.scarcity.bench;

import io.scarcity.runtime.audit.AuditLog;
import io.scarcity.runtime.audit.AuditTrail;
import io.scarcity.runtime.audit.AuditVerifier;
import io.scarcity.runtime.config.AuditConfig;
import java.io.BufferedWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the coordinator's audit log costs per round: for federations of 10, 100 and 1,000 clients, a round's entries
 * (an {@code insight} entry per client with its SHA-256, a {@code broadcast} and the {@code round} decision) written
 * to a signed, hash-chained {@code audit.jsonl}, against the same entries written as plain JSON lines without hash or
 * signature (the baseline, in the same run); bytes per round; and the time {@code scarcity audit verify} takes per
 * entry. Median of 5 repetitions; machines here are shared, so read the ratios.
 *
 * <pre>java -cp benchmarks/target/benchmarks.jar io.scarcity.bench.AuditLogCost</pre>
 */
public final class AuditLogCost {
    private AuditLogCost() {
    }

    public static void main(String[] args) throws Exception {
        System.out.println("| clients | entries/round | signed chain ms/round | plain lines ms/round | ratio | KB/round | verify µs/entry |");
        System.out.println("|---|---|---|---|---|---|---|");
        for (int clients : new int[] {10, 100, 1000}) {
            int rounds = Math.max(5, 2000 / clients);
            double[] signed = new double[5];
            double[] plain = new double[5];
            double[] verify = new double[5];
            long bytes = 0;
            for (int rep = 0; rep < 6; rep++) { // the first repetition warms up
                Path dir = Files.createTempDirectory("audit-cost");
                long t0 = System.nanoTime();
                try (AuditLog log = AuditLog.open(dir, AuditConfig.DEFAULT, dir, Map.of("run", "cost"), -1, Clock.systemUTC())) {
                    for (int r = 1; r <= rounds; r++) {
                        round(log, r, clients);
                    }
                }
                long t1 = System.nanoTime();
                Path plainFile = dir.resolve("plain.jsonl");
                try (BufferedWriter w = Files.newBufferedWriter(plainFile, StandardCharsets.UTF_8)) {
                    AuditTrail lines = (type, facts) -> {
                        try {
                            w.write(PlainJson.line(type, facts));
                            w.flush();
                        } catch (java.io.IOException e) {
                            throw new java.io.UncheckedIOException(e);
                        }
                    };
                    for (int r = 1; r <= rounds; r++) {
                        round(lines, r, clients);
                    }
                }
                long t2 = System.nanoTime();
                AuditVerifier.Result checked = AuditVerifier.verify(dir.resolve(AuditLog.FILE), null);
                long t3 = System.nanoTime();
                if (!checked.intact()) {
                    throw new AssertionError(checked.problem());
                }
                if (rep > 0) {
                    signed[rep - 1] = (t1 - t0) / 1e6 / rounds;
                    plain[rep - 1] = (t2 - t1) / 1e6 / rounds;
                    verify[rep - 1] = (t3 - t2) / 1e3 / checked.entries();
                    bytes = Files.size(dir.resolve(AuditLog.FILE)) / rounds;
                }
                try (var files = Files.list(dir)) {
                    for (Path f : files.toList()) {
                        Files.delete(f);
                    }
                }
                Files.delete(dir);
            }
            double s = median(signed);
            double p = median(plain);
            System.out.printf("| %,d | %,d | %.2f | %.2f | %.1fx | %.1f | %.0f |%n", clients, clients + 2, s, p, s / p,
                    bytes / 1024.0, median(verify));
        }
    }

    /** A round's entries as the coordinator writes them. */
    static void round(AuditTrail trail, int round, int clients) {
        for (int c = 0; c < clients; c++) {
            Map<String, Object> f = new LinkedHashMap<>();
            f.put("round", round);
            f.put("client", AuditTrail.sha256(("client-" + c).getBytes(StandardCharsets.UTF_8)));
            f.put("domain", "d");
            f.put("sha256", AuditTrail.sha256(("insight " + round + " " + c).getBytes(StandardCharsets.UTF_8)));
            f.put("accepted", true);
            trail.record("insight", f);
        }
        Map<String, Object> b = new LinkedHashMap<>();
        b.put("round", round);
        b.put("domain", "d");
        b.put("sha256", AuditTrail.sha256(("parameters " + round).getBytes(StandardCharsets.UTF_8)));
        trail.record("broadcast", b);
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("round", round);
        d.put("insights", clients);
        d.put("recipients", clients);
        d.put("offline", List.of());
        d.put("dropped", List.of());
        d.put("converged", false);
        trail.record("round", d);
    }

    static double median(double[] v) {
        double[] s = v.clone();
        java.util.Arrays.sort(s);
        return s[s.length / 2];
    }

    /** The baseline: the same facts as a JSON line, no hash, no signature. */
    static final class PlainJson {
        private static final com.fasterxml.jackson.databind.ObjectMapper JSON = new com.fasterxml.jackson.databind.ObjectMapper();

        static String line(String type, Map<String, Object> facts) {
            Map<String, Object> all = new LinkedHashMap<>();
            all.put("type", type);
            all.putAll(facts);
            try {
                return JSON.writeValueAsString(all) + "\n";
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                throw new IllegalStateException(e);
            }
        }
    }
}
