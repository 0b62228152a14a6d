package io.scarcity.runtime.data;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.AccessDeniedException;
import org.junit.jupiter.api.Test;

/** An unreadable data file is named with the cause in plain words and the fix. */
class UnreadableFileTest {
    @Test
    void permissionDeniedSaysSoAndHowToFixIt() {
        String m = DataFiles.unreadable("data.csv", new AccessDeniedException("/data/data.csv")).getMessage();
        assertTrue(m.equals("data.csv: cannot read the file: permission denied; give the user running Scarcity read access to it (chmod)"), m);
        String t = DataFiles.unreadable("x.csv.gz", new java.io.EOFException("Unexpected end of ZLIB input stream")).getMessage();
        assertTrue(t.contains("the file is truncated") && t.contains("download the file again"), t);
        String z = DataFiles.unreadable("x.csv.gz", new java.util.zip.ZipException("Not in GZIP format")).getMessage();
        assertTrue(z.contains("the file is corrupt"), z);
    }
}
