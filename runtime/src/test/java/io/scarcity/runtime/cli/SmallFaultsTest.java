package io.scarcity.runtime.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scarcity.runtime.config.QuickstartPaths;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The smaller bad inputs: each is exit 2 with the true cause and the fix, no stack trace. */
class SmallFaultsTest {
    @TempDir
    Path tmp;

    static void userError(CliTest.Result r, String... expected) {
        assertEquals(2, r.code(), r.err());
        for (String e : expected) {
            assertTrue(r.err().contains(e), "expected '" + e + "' in:\n" + r.err());
        }
        assertFalse(r.err().contains("\tat ") || r.err().contains("internal error"), r.err());
    }

    @Test
    void aTabInTheIndentationIsNamedWithItsLine() throws Exception {
        Path cfg = tmp.resolve("tab.yaml");
        Files.writeString(cfg, "name: tab\nrounds: 2\ndomains:\n  - name: d\n\tclients: 2\n");
        userError(CliTest.cli("validate", cfg.toString()), "tab.yaml: line 5 is indented with a tab", "replace the tab with spaces");
    }

    @Test
    void aMalformedSetKeyIsRefusedNotApplied() {
        String q = QuickstartPaths.quickstart().toString();
        userError(CliTest.cli("validate", q, "--set", "domains[0.clients=4"),
                "malformed key 'domains[0.clients'", "a '[' without its ']'", "domains[0].clients");
        userError(CliTest.cli("validate", q, "--set", "domains[x].clients=4"), "a list index that is not a number");
        userError(CliTest.cli("validate", q, "--set", "rounds..x=4"), "an empty part between dots");
        assertEquals(0, CliTest.cli("validate", q, "--set", "domains[0].clients=4").code(), "a well-formed key still works");
    }

    @Test
    void aTruncatedGzipFileSaysTruncated() throws Exception {
        StringBuilder csv = new StringBuilder("a,b,y\n");
        java.util.Random random = new java.util.Random(3);
        for (int i = 0; i < 20_000; i++) {
            csv.append(random.nextGaussian()).append(',').append(random.nextGaussian()).append(',').append(i % 2 == 0 ? "p" : "q").append('\n');
        }
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        try (var gz = new java.util.zip.GZIPOutputStream(bytes)) {
            gz.write(csv.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }
        byte[] whole = bytes.toByteArray();
        Files.write(tmp.resolve("data.csv.gz"), java.util.Arrays.copyOf(whole, whole.length / 2));
        Path cfg = tmp.resolve("gz.yaml");
        Files.writeString(cfg, """
                name: gz
                rounds: 200
                output: {dir: %s, progress: off}
                domains:
                  - name: d
                    clients: 1
                    stream: {type: csv, path: data.csv.gz, label: y, classes: [p, q]}
                experts: [{plugin: statistical}]
                """.formatted(tmp.resolve("runs").toString().replace("\\", "/")));
        userError(CliTest.cli("run", cfg.toString()), "data.csv.gz", "the file is truncated", "download the file again");
    }

    @Test
    void benchOutThatCannotBeCreatedSuggestsOut() throws Exception {
        Path blocker = Files.writeString(tmp.resolve("file"), "a file where the output folder should be");
        Path suite = QuickstartPaths.configs().resolve("bench/sea-drift.yaml");
        CliTest.Result r = CliTest.cli("bench", suite.toString(), "--out", blocker.resolve("sub").toString(), "--seeds", "1");
        userError(r, "cannot create the run folder under", "pass --out with a writable folder");
        assertFalse(r.err().contains("output.dir"), r.err());
    }
}
