package io.scarcity.runtime.run;

import io.scarcity.runtime.UserException;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The exclusive lock on a run folder ({@code .lock}), held by the process that writes it: a second run
 * or resume of the same folder is refused before it reads or changes anything. While held, the file holds the process's
 * id and start time, so that others can tell a run is going on without taking the lock.
 */
final class RunLock implements AutoCloseable {
    private final FileChannel channel;
    private final FileLock lock;

    private RunLock(FileChannel channel, FileLock lock) {
        this.channel = channel;
        this.lock = lock;
    }

    /**
     * @throws UserException if another process holds the folder, or the lock file cannot be created
     */
    static RunLock acquire(Path runDir) {
        FileChannel channel;
        try {
            channel = FileChannel.open(runDir.resolve(".lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        } catch (IOException e) {
            throw new UserException("cannot lock the run folder " + runDir + ": " + io.scarcity.runtime.Faults.describe(e)
                    + "; make it writable (a run and its resume write into it)");
        }
        FileLock lock;
        try {
            lock = channel.tryLock();
        } catch (IOException | OverlappingFileLockException e) {
            lock = null;
        }
        if (lock == null) {
            close(channel);
            throw new UserException(runDir + " is in use by another process (the run is still going, or another --resume"
                    + " is); wait for it to end, or stop it first");
        }
        try {
            // who holds it, for those who look without locking (the dashboard): this process's id and start time (ms since
            // the epoch), so that an id reused by another process after this one ended is not taken for it
            ProcessHandle self = ProcessHandle.current();
            String who = self.pid() + " " + self.info().startInstant().map(java.time.Instant::toEpochMilli).orElse(-1L) + "\n";
            channel.truncate(0);
            channel.write(java.nio.ByteBuffer.wrap(who.getBytes(java.nio.charset.StandardCharsets.US_ASCII)), 0);
        } catch (IOException e) {
            // the lock holds without it; only the dashboard's "running" status needs it
        }
        return new RunLock(channel, lock);
    }

    @Override
    public void close() {
        try {
            channel.truncate(0);
        } catch (IOException | RuntimeException ignored) {
            // an id left behind names a process that has ended: read as not running
        }
        try {
            lock.release();
        } catch (IOException | RuntimeException ignored) {
            // released with the channel anyway
        }
        close(channel);
    }

    private static void close(FileChannel channel) {
        try {
            channel.close();
        } catch (IOException ignored) {
            // nothing to keep
        }
    }
}
