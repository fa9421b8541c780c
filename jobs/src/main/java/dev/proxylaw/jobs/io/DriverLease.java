package dev.proxylaw.jobs.io;

import dev.proxylaw.jobs.UserError;
import java.io.ByteArrayInputStream;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.Properties;
import java.util.UUID;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileContext;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Options;
import org.apache.hadoop.fs.Path;

/**
 * One sweep driver per output directory: {@code _driver.lease} on the output's own filesystem names the
 * driver that holds it and when its lease expires. The holder renews it every quarter of its length from
 * a daemon thread; a driver that crashes stops renewing, and its lease expires by itself (at once when
 * the holder ran on this machine and its process is gone). A second driver refuses with the holder's
 * name, or waits for the lease when asked to.
 *
 * <p>Creation must fail when the file exists. On the local filesystem that is {@code O_EXCL} through
 * java.nio (Hadoop's local create checks, then creates); elsewhere it is {@code create(overwrite=false)},
 * which HDFS makes atomic. Renewal writes a new file and renames it over the lease.
 */
public final class DriverLease implements AutoCloseable {
    public static final String FILE = "_driver.lease";

    /** What a lease file says. */
    record Holder(String owner, String who, long expiresAtMs, String host, long pid) {
        boolean expired(long nowMs) {
            return nowMs > expiresAtMs;
        }

        /** A holder on this machine whose process is gone (killed, crashed) need not be waited for. */
        boolean deadHere() {
            return pid > 0 && host.equals(localHost()) && ProcessHandle.of(pid).map(p -> !p.isAlive()).orElse(true);
        }
    }

    private final Path file;
    private final FileSystem fs;
    private final Configuration conf;
    private final String owner = UUID.randomUUID().toString();
    private final Duration length;
    private final PrintStream console;
    private final Thread heartbeat;
    private volatile boolean closed;
    private volatile boolean lost;

    private DriverLease(Path out, Configuration conf, Duration length, PrintStream console) throws IOException {
        this.file = new Path(out, FILE);
        FileSystem f = out.getFileSystem(conf);
        this.fs = isLocal(f) ? FileSystem.getLocal(conf).getRawFileSystem() : f;   // no .crc beside a file rewritten so often
        this.conf = conf;
        this.length = length;
        this.console = console;
        this.heartbeat = new Thread(this::beat, "proxylaw-driver-lease");
        this.heartbeat.setDaemon(true);
    }

    /**
     * Takes the directory's lease, or fails with who holds it; with {@code wait}, waits until the holder
     * releases it or its lease expires.
     */
    public static DriverLease acquire(Path out, Configuration conf, Duration length, boolean wait, PrintStream console) {
        try {
            DriverLease l = new DriverLease(out, conf, length, console);
            boolean said = false;
            while (true) {
                if (l.tryCreate()) {
                    l.heartbeat.start();
                    return l;
                }
                Holder h = l.read();
                if (h == null) {
                    continue;   // released between our create and our read: try again
                }
                if (h.expired(System.currentTimeMillis()) || h.deadHere()) {
                    console.printf("driver lease of %s %s without being released (a crashed driver); taking it over%n", h.who(),
                            h.deadHere() ? "ended: its process is gone" : "expired at " + Instant.ofEpochMilli(h.expiresAtMs()));
                    l.takeOver(h);
                    continue;
                }
                if (!wait) {
                    throw new UserError("Cannot sweep into " + out + ": another driver is training into it (" + h.who()
                            + ", lease in " + l.file.getName() + " renewed until " + Instant.ofEpochMilli(h.expiresAtMs())
                            + "). Wait for it to finish, or pass --wait true to start when it does; the lease of a driver "
                            + "that crashed expires by itself.");
                }
                if (!said) {
                    console.printf("waiting for the driver lease on %s: held by %s%n", out, h.who());
                    said = true;
                }
                Thread.sleep(Math.max(200, Math.min(5000, length.toMillis() / 4)));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot take the driver lease " + out + "/" + FILE + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the driver lease on " + out, e);
        }
    }

    /** True when another driver took the lease over while this one was stalled (it kept training, exactly once still). */
    public boolean lost() {
        return lost;
    }

    private boolean tryCreate() throws IOException {
        byte[] body = body();
        if (isLocal(fs)) {
            java.nio.file.Path p = java.nio.file.Path.of(file.toUri());
            try {
                Files.createDirectories(p.getParent());
                java.nio.file.Path tmp = Files.write(p.resolveSibling(FILE + "." + owner + ".new"), body);
                try {
                    Files.createLink(p, tmp);   // link(2): fails if the lease exists, and the lease is never half-written
                } finally {
                    Files.delete(tmp);
                }
                return true;
            } catch (FileAlreadyExistsException e) {
                return false;
            }
        }
        try (FSDataOutputStream o = fs.create(file, false)) {
            o.write(body);
            return true;
        } catch (org.apache.hadoop.fs.FileAlreadyExistsException e) {
            return false;
        }
    }

    private void renew() throws IOException {
        Holder h = read();
        if (h == null || !h.owner().equals(owner)) {
            if (!lost) {
                console.printf("warning: the driver lease on %s was taken over by %s; this driver goes on, and the ledger "
                        + "keeps every run once%n", file.getParent(), h == null ? "nobody" : h.who());
            }
            lost = true;
            return;
        }
        Path tmp = new Path(file.getParent(), FILE + "." + owner + ".renew");
        try (FSDataOutputStream o = fs.create(tmp, true)) {
            o.write(body());
        }
        if (isLocal(fs)) {
            Files.move(java.nio.file.Path.of(tmp.toUri()), java.nio.file.Path.of(file.toUri()), StandardCopyOption.ATOMIC_MOVE,
                    StandardCopyOption.REPLACE_EXISTING);
        } else {
            FileContext.getFileContext(file.toUri(), conf).rename(tmp, file, Options.Rename.OVERWRITE);
        }
    }

    /** Moves a stale lease aside; if that was a fresh one (another driver took over first), puts it back. */
    private void takeOver(Holder stale) throws IOException {
        Path aside = new Path(file.getParent(), FILE + "." + owner + ".expired");
        if (!fs.rename(file, aside)) {
            return;   // someone else moved it first
        }
        Holder moved = parse(fs.open(aside), 0);
        if (moved != null && !moved.owner().equals(stale.owner())) {
            fs.rename(aside, file);
            return;
        }
        fs.delete(aside, false);   // a lease, not data: the dead driver's runs are in the ledger
    }

    private Holder read() throws IOException {
        try {
            return parse(fs.open(file), fs.getFileStatus(file).getModificationTime() + length.toMillis());
        } catch (FileNotFoundException e) {
            return null;
        }
    }

    /**
     * {@code unreadableExpiry}: a lease without an expiry (a driver that died while creating it on a
     * filesystem without atomic create) expires one lease length after it was last written.
     */
    private static Holder parse(InputStream in, long unreadableExpiry) throws IOException {
        Properties p = new Properties();
        try (in) {
            p.load(new ByteArrayInputStream(in.readAllBytes()));
        }
        String exp = p.getProperty("expires_at_ms");
        if (exp == null || !exp.matches("\\d{1,18}")) {
            return new Holder("?", "an unreadable lease", unreadableExpiry, "?", -1);
        }
        String pid = p.getProperty("pid", "");
        return new Holder(p.getProperty("owner", "?"), p.getProperty("who", "?"), Long.parseLong(exp), p.getProperty("host", "?"),
                pid.matches("\\d{1,18}") ? Long.parseLong(pid) : -1);
    }

    private static String localHost() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "localhost";
        }
    }

    private byte[] body() {
        long pid = ProcessHandle.current().pid();
        String who = "pid " + pid + " on " + localHost();
        return ("owner=" + owner + "\nwho=" + who + "\nhost=" + localHost() + "\npid=" + pid
                + "\nexpires_at_ms=" + (System.currentTimeMillis() + length.toMillis())
                + "\nrenewed_at=" + Instant.now() + "\n").getBytes(StandardCharsets.UTF_8);
    }

    private void beat() {
        while (!closed) {
            try {
                Thread.sleep(Math.max(100, length.toMillis() / 4));
                if (!closed) {
                    renew();
                }
            } catch (InterruptedException e) {
                return;
            } catch (IOException | RuntimeException e) {
                console.printf("warning: cannot renew the driver lease %s: %s%n", file, e.getMessage());
            }
        }
    }

    /** Releases the lease if this driver still holds it. */
    @Override
    public void close() {
        closed = true;
        heartbeat.interrupt();
        try {
            heartbeat.join(10_000);
            Holder h = read();
            if (h != null && h.owner().equals(owner)) {
                fs.delete(file, false);
            }
        } catch (IOException e) {
            console.printf("warning: cannot release the driver lease %s: %s; it expires by itself%n", file, e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static boolean isLocal(FileSystem f) {
        return "file".equals(f.getUri().getScheme());
    }
}
