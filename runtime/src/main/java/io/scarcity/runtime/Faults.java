package io.scarcity.runtime;

import java.io.EOFException;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.util.Locale;
import java.util.zip.ZipException;

/**
 * Says in plain words what an I/O failure means for the user (permission denied, no such file, disk
 * full, a truncated or corrupt compressed file), instead of the JDK's exception text, which names a
 * class or an internal state ("Unexpected end of ZLIB input stream").
 */
public final class Faults {
    private Faults() {
    }

    /** The cause of {@code e} in a few words, without the path (the caller names the file). */
    public static String describe(Throwable e) {
        String message = String.valueOf(e.getMessage());
        String lower = message.toLowerCase(Locale.ROOT);
        if (e instanceof AccessDeniedException || lower.contains("permission denied") || lower.contains("access is denied")) {
            return "permission denied";
        }
        if (lower.contains("read-only file system")) {
            return "the file system is read-only";
        }
        if (lower.contains("no space left") || lower.contains("disk quota")) {
            return "no space left on the disk";
        }
        if (e instanceof NoSuchFileException || lower.contains("no such file")) {
            return "no such file or folder";
        }
        if (e instanceof NotDirectoryException || lower.contains("not a directory")) {
            return "a file stands where a folder is needed";
        }
        if (e instanceof FileAlreadyExistsException) {
            return "a file of that name is in the way (a folder is needed there)";
        }
        if (lower.contains("is a directory")) {
            return "it is a folder, not a file";
        }
        if (e instanceof EOFException || lower.contains("unexpected end of zlib input stream")) {
            return "the file is truncated (it ends in the middle of its compressed data)";
        }
        if (e instanceof ZipException || lower.contains("not in gzip format")) {
            return "the file is corrupt (its compressed data cannot be decoded: " + message + ")";
        }
        if (e instanceof FileSystemException fse && fse.getReason() != null) {
            return fse.getReason();
        }
        if (e instanceof FileNotFoundException) {
            int paren = message.lastIndexOf('(');
            return paren >= 0 && message.endsWith(")") ? message.substring(paren + 1, message.length() - 1) : message;
        }
        return message;
    }

    /** Whether {@code e} (or a cause) is a refused permission. */
    public static boolean isPermission(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if ("permission denied".equals(describe(t))) {
                return true;
            }
        }
        return false;
    }

    /** {@link #describe} of the innermost I/O exception in {@code e}'s causes (or of {@code e}). */
    public static String describeRoot(Throwable e) {
        Throwable io = e;
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof IOException) {
                io = t;
            }
        }
        return describe(io);
    }
}
