package io.scarcity.dashboard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scarcity.runtime.cli.Main;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code scarcity dashboard} with bad input: exit 2, a message naming the option and the fix, no stack trace. */
class DashboardCommandTest {
    @TempDir
    Path dir;

    record Result(int code, String out, String err) {
    }

    static Result cli(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.execute(args, new PrintWriter(out, true), new PrintWriter(err, true));
        return new Result(code, out.toString(), err.toString());
    }

    static void assertUserError(Result r, String... fragments) {
        assertEquals(2, r.code(), r.err());
        for (String f : fragments) {
            assertTrue(r.err().contains(f), "'" + f + "' in: " + r.err());
        }
        assertFalse(r.err().contains("\tat "), "no stack trace: " + r.err());
    }

    @Test
    void aPortInUse() throws Exception {
        try (ServerSocket busy = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            assertUserError(cli("dashboard", "--runs", dir.toString(), "--port", String.valueOf(busy.getLocalPort())),
                    "cannot listen on 127.0.0.1:" + busy.getLocalPort(), "choose another with --port");
        }
    }

    @Test
    void aRunsFolderThatIsAFileOrUnreadable() throws Exception {
        Path file = Files.writeString(dir.resolve("runs"), "x");
        assertUserError(cli("dashboard", "--runs", file.toString(), "--port", "0"), "--runs", "is a file, not a folder");
        Path locked = Files.createDirectories(dir.resolve("locked"));
        locked.toFile().setReadable(false);
        try {
            if (!Files.isReadable(locked)) { // root reads everything: then there is nothing to refuse
                assertUserError(cli("dashboard", "--runs", locked.toString(), "--port", "0"), "cannot be read");
            }
        } finally {
            locked.toFile().setReadable(true);
        }
    }

    @Test
    void aBadPortOrAddress() {
        assertUserError(cli("dashboard", "--runs", dir.toString(), "--port", "70000"), "--port 70000", "0..65535");
        assertUserError(cli("dashboard", "--runs", dir.toString(), "--port", "0", "--bind", "203.0.113.7"), "--bind 203.0.113.7",
                "not an address of this machine");
        assertUserError(cli("dashboard", "--runs", dir.toString(), "--port", "0", "--bind", "no-such-host.invalid"), "--bind");
    }
}
