package io.scarcity.runtime.data;

import io.scarcity.runtime.data.CsvSource.OnInvalid;
import java.util.ArrayList;
import java.util.List;

/**
 * The invalid rows of a text file source (CSV, ARFF): with {@code onInvalid: fail} the first one stops
 * the run, with {@code onInvalid: quarantine} each is skipped and counted and the first few reasons are
 * kept for the report. One class for both formats, so that they word, count and cap invalid rows alike.
 */
final class RowQuarantine {
    /** Quarantine reasons kept for the report; the rest are only counted. */
    static final int MAX_SAMPLES = 10;

    private final String fileName;
    private final OnInvalid onInvalid;
    private final List<String> samples = new ArrayList<>();
    private long count;

    RowQuarantine(String fileName, OnInvalid onInvalid) {
        this.fileName = fileName;
        this.onInvalid = onInvalid;
    }

    /**
     * A streamed row is invalid: counts it and keeps its reason, or with {@code onInvalid: fail} throws.
     *
     * @throws DataException with {@code onInvalid: fail}, naming file, line and problem
     */
    void reject(long line, String problem) {
        failIfStrict(line, problem);
        count++;
        if (samples.size() < MAX_SAMPLES) {
            samples.add(where(line, problem));
        }
    }

    /**
     * A row met by a look-ahead pass (the label or group scan) is invalid: throws as {@link #reject}
     * would with {@code onInvalid: fail}, else does nothing, since the row is counted when it is streamed.
     */
    void failIfStrict(long line, String problem) {
        if (onInvalid == OnInvalid.FAIL) {
            throw new DataException(where(line, problem)
                    + ". Fix or drop the row, or set onInvalid: quarantine to skip invalid rows");
        }
    }

    /** Rows quarantined so far. */
    long count() {
        return count;
    }

    /** The first few reasons ({@value #MAX_SAMPLES} at most), each naming file and line. */
    List<String> samples() {
        return List.copyOf(samples);
    }

    private String where(long line, String problem) {
        return fileName + ":" + line + ": " + problem;
    }
}
