package dev.proxylaw.jobs.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.proxylaw.jobs.UserError;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The lease against lease files as other drivers leave them: live on another machine (refused), expired
 * on another machine (taken over), held by a process of this machine that is gone (taken over at once),
 * unreadable (expires a lease length after it was written), and released by its holder.
 */
class DriverLeaseTest {
    @TempDir
    Path dir;
    final ByteArrayOutputStream console = new ByteArrayOutputStream();
    final PrintStream out = new PrintStream(console, true, StandardCharsets.UTF_8);

    org.apache.hadoop.fs.Path out() {
        return new org.apache.hadoop.fs.Path(dir.toUri());
    }

    void lease(String host, long pid, long expiresAtMs) throws Exception {
        Files.writeString(dir.resolve(DriverLease.FILE), "owner=other\nwho=pid " + pid + " on " + host + "\nhost=" + host
                + "\npid=" + pid + "\nexpires_at_ms=" + expiresAtMs + "\n");
    }

    DriverLease take(boolean wait) {
        return DriverLease.acquire(out(), new Configuration(), Duration.ofSeconds(30), wait, out);
    }

    @Test
    void aLiveLeaseElsewhereIsRefusedInOneLine() throws Exception {
        lease("another-machine", 4242, System.currentTimeMillis() + 600_000);
        UserError e = assertThrows(UserError.class, () -> take(false));
        assertTrue(e.getMessage().contains("another driver is training into it (pid 4242 on another-machine"), e.getMessage());
        assertTrue(e.getMessage().contains("--wait true"), e.getMessage());
        assertTrue(Files.readString(dir.resolve(DriverLease.FILE)).contains("owner=other"), "left as it was");
    }

    @Test
    void anExpiredLeaseIsTakenOverAndReleasedAtTheEnd() throws Exception {
        lease("another-machine", 4242, System.currentTimeMillis() - 1);
        try (DriverLease l = take(false)) {
            assertTrue(console.toString(StandardCharsets.UTF_8).contains("expired at"), console.toString(StandardCharsets.UTF_8));
            assertTrue(Files.readString(dir.resolve(DriverLease.FILE)).contains("pid=" + ProcessHandle.current().pid()));
            assertFalse(l.lost());
            assertThrows(UserError.class, () -> take(false), "a second taker is refused while this one holds it");
        }
        assertFalse(Files.exists(dir.resolve(DriverLease.FILE)), "released");
    }

    @Test
    void aLeaseOfAProcessOfThisMachineThatIsGoneIsTakenOverAtOnce() throws Exception {
        Process p = new ProcessBuilder("true").start();
        p.waitFor();
        lease(java.net.InetAddress.getLocalHost().getHostName(), p.pid(), System.currentTimeMillis() + 600_000);
        try (DriverLease l = take(false)) {
            assertTrue(console.toString(StandardCharsets.UTF_8).contains("its process is gone"), console.toString(StandardCharsets.UTF_8));
        }
    }

    @Test
    void waitingTakesTheLeaseWhenItExpires() throws Exception {
        lease("another-machine", 4242, System.currentTimeMillis() + 1500);
        try (DriverLease l = take(true)) {
            String c = console.toString(StandardCharsets.UTF_8);
            assertTrue(c.contains("waiting for the driver lease") && c.contains("taking it over"), c);
        }
    }

    @Test
    void anUnreadableLeaseExpiresALeaseLengthAfterItWasWritten() throws Exception {
        Files.writeString(dir.resolve(DriverLease.FILE), "");
        assertThrows(UserError.class, () -> take(false));
        Files.setLastModifiedTime(dir.resolve(DriverLease.FILE),
                java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis() - 60_000));
        try (DriverLease l = take(false)) {
            assertEquals(1, Files.list(dir).filter(f -> f.getFileName().toString().startsWith(DriverLease.FILE)).count());
        }
    }
}
