package io.granary.postgres;

import io.granary.core.csv.CsvDialect;
import java.util.Arrays;

/**
 * Tells whether a load's primary keys may repeat, from the bytes it sends to COPY: {@link PgCsvFeed}'s output,
 * read field by field as COPY's CSV parser reads it, a 64-bit hash of each record's key kept in a set. When no
 * hash repeats, no key does, and the load can skip its de-duplication query (a hash aggregate over every staged
 * row: on 500 k rows about as long as the COPY itself). A repeated hash (a repeated key or, very rarely, two keys
 * with one hash) or more keys than {@link #MAX_KEYS} answer "may repeat", and the query runs.
 *
 * <p>Key columns are {@code TEXT COLLATE "C"}, so equal keys are equal bytes; COPY stores a value unquoted, with
 * a doubled quote (or the escape character before a quote or itself) as one character, and an empty value as
 * {@code ''} ({@code FORCE_NOT_NULL}).
 */
final class PgKeyTracker {

    /** The most keys a load tracks: a set of 4 M longs (32 MiB); a larger load runs the query. */
    static final int MAX_KEYS = 1 << 21;

    private final int quote;
    private final int escape;
    private final int delimiter;
    /** For each field of a record: its place in the key, or -1. */
    private final int[] keyPlace;
    private final long[] fieldHash;
    private final int[] fieldLength;

    // small to start with: most loads with a key are small, and the set doubles as it fills
    private long[] slots = new long[1 << 10];
    private int keys;
    private boolean mayRepeat;

    // where the parser is
    private boolean skipRecord;
    private int field;
    private boolean inQuote;
    private boolean escapePending;
    private boolean recordStarted;

    /** @param keyFields the file's field index of each key column, in key order */
    PgKeyTracker(CsvDialect dialect, int[] keyFields) {
        this.quote = dialect.enclosure() & 0xff;
        this.escape = dialect.escapedBy() == null ? quote : dialect.escapedBy() & 0xff;
        this.delimiter = dialect.delimiter() & 0xff;
        int fields = Arrays.stream(keyFields).max().orElse(-1) + 1;
        this.keyPlace = new int[fields];
        Arrays.fill(keyPlace, -1);
        for (int i = 0; i < keyFields.length; i++) {
            keyPlace[keyFields[i]] = i;
        }
        this.fieldHash = new long[keyFields.length];
        this.fieldLength = new int[keyFields.length];
    }

    /** Whether two records may have had the same key. */
    boolean mayRepeat() {
        return mayRepeat;
    }

    /** A file starts: COPY skips its first record when it has a header. */
    void startFile(boolean header) {
        skipRecord = header;
        startRecord();
    }

    /** The bytes {@code b[off, off + len)} go to COPY. */
    void feed(byte[] b, int off, int len) {
        if (mayRepeat) {
            return;
        }
        int end = off + len;
        for (int i = off; i < end; i++) {
            int c = b[i] & 0xff;
            recordStarted = true;
            if (inQuote) {
                if (escapePending) {
                    escapePending = false;
                    if (c == escape || c == quote) {
                        add(c);
                        continue;
                    }
                    if (escape == quote) {
                        inQuote = false; // the pending character closed the quotes; c is read outside them
                    } else {
                        add(escape);
                        if (c == quote) {
                            inQuote = false;
                            continue;
                        }
                    }
                } else if (c == escape) {
                    escapePending = true;
                    continue;
                } else if (c == quote) {
                    inQuote = false;
                    continue;
                }
                if (inQuote) {
                    add(c);
                    continue;
                }
            }
            if (c == delimiter) {
                field++;
            } else if (c == '\n') {
                endRecord();
                if (mayRepeat) {
                    return;
                }
            } else if (c == quote) {
                inQuote = true;
            } else {
                add(c);
            }
        }
    }

    /** The file's bytes are all sent: a last record without a line end still counts. */
    void endFile() {
        if (mayRepeat) {
            return;
        }
        if (escapePending && escape != quote) {
            add(escape);
        }
        escapePending = false;
        inQuote = false;
        if (recordStarted) {
            endRecord();
        }
    }

    private void add(int c) {
        if (field < keyPlace.length) {
            int place = keyPlace[field];
            if (place >= 0) {
                // FNV-1a per field; the lengths keep ("ab", "c") apart from ("a", "bc")
                fieldHash[place] = (fieldHash[place] ^ c) * 0x100000001b3L;
                fieldLength[place]++;
            }
        }
    }

    private void startRecord() {
        field = 0;
        inQuote = false;
        escapePending = false;
        recordStarted = false;
        Arrays.fill(fieldHash, 0xcbf29ce484222325L);
        Arrays.fill(fieldLength, 0);
    }

    private void endRecord() {
        if (skipRecord) {
            skipRecord = false;
        } else {
            long h = 0;
            for (int i = 0; i < fieldHash.length; i++) {
                h = (h ^ mix(fieldHash[i] + fieldLength[i])) * 0x9e3779b97f4a7c15L;
            }
            remember(mix(h));
        }
        startRecord();
    }

    private void remember(long h) {
        long key = h == 0 ? 1 : h; // 0 marks a free slot
        int mask = slots.length - 1;
        int i = (int) key & mask;
        while (slots[i] != 0) {
            if (slots[i] == key) {
                repeat();
                return;
            }
            i = (i + 1) & mask;
        }
        slots[i] = key;
        if (++keys > MAX_KEYS) {
            repeat();
        } else if (keys * 2 > slots.length) {
            grow();
        }
    }

    private void repeat() {
        mayRepeat = true;
        slots = new long[0];
    }

    private void grow() {
        long[] old = slots;
        slots = new long[old.length * 2];
        int mask = slots.length - 1;
        for (long key : old) {
            if (key != 0) {
                int i = (int) key & mask;
                while (slots[i] != 0) {
                    i = (i + 1) & mask;
                }
                slots[i] = key;
            }
        }
    }

    // MurmurHash3's 64-bit finaliser
    private static long mix(long h) {
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 33;
        h *= 0xc4ceb9fe1a85ec53L;
        h ^= h >>> 33;
        return h;
    }
}
