package io.granary.client;

import java.io.BufferedOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.GZIPOutputStream;

/**
 * Splits a CSV into header-less slices on record boundaries, streaming: one 64 KiB read buffer, each slice
 * written (optionally gzipped) to its own temp file. A newline inside an enclosure does not end a record; a
 * doubled enclosure toggles the state twice, so it needs no special case.
 */
final class CsvSlicer implements Closeable {

    static final int BUFFER = 64 * 1024;

    /** One slice on disk; {@code sourceBytes} is its uncompressed size (for progress). */
    record Slice(int index, Path file, long sourceBytes) {
    }

    private final InputStream in;
    private final int enclosure;
    private final long sliceSize;
    private final boolean gzip;
    private final Path tempDir;
    private final byte[] buf = new byte[BUFFER];
    private int pos;
    private int limit;
    private boolean eof;
    private boolean quoted;
    private int produced;
    private List<String> header;

    CsvSlicer(Path source, char delimiter, Character enclosure, long sliceSize, boolean gzip, Path tempDir)
            throws IOException {
        this.enclosure = enclosure == null ? -1 : (enclosure & 0xff);
        if (enclosure != null && enclosure > 0x7f) {
            throw new IllegalArgumentException("the enclosure must be an ASCII character");
        }
        this.sliceSize = sliceSize;
        this.gzip = gzip;
        this.tempDir = tempDir;
        this.in = CsvFiles.open(source);
        try {
            this.header = CsvFiles.parseRecord(new String(CsvFiles.firstRecord(in, enclosure),
                    java.nio.charset.StandardCharsets.UTF_8), delimiter, enclosure);
        } catch (IOException | RuntimeException e) {
            in.close();
            throw e;
        }
    }

    /** The first record's fields; it is not part of any slice. */
    List<String> header() {
        return header;
    }

    private boolean fill() throws IOException {
        if (pos < limit) {
            return true;
        }
        if (eof) {
            return false;
        }
        int n = in.read(buf);
        if (n <= 0) {
            eof = true;
            return false;
        }
        pos = 0;
        limit = n;
        return true;
    }

    /** The next slice, or null when the input is exhausted (the first call always yields one, maybe empty). */
    Slice next() throws IOException {
        if (!fill() && produced > 0) {
            return null;
        }
        Path file = Files.createTempFile(tempDir, "slice-", gzip ? ".csv.gz" : ".csv");
        long written = 0;
        try (OutputStream out = open(file)) {
            while (fill()) {
                int start = pos;
                boolean cut = false;
                for (; pos < limit; pos++) {
                    int b = buf[pos] & 0xff;
                    if (b == enclosure) {
                        quoted = !quoted;
                    } else if (b == '\n' && !quoted && written + (pos + 1 - start) >= sliceSize) {
                        pos++;
                        cut = true;
                        break;
                    }
                }
                out.write(buf, start, pos - start);
                written += pos - start;
                if (cut) {
                    break;
                }
            }
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(file);
            throw e;
        }
        return new Slice(produced++, file, written);
    }

    private OutputStream open(Path file) throws IOException {
        OutputStream out = new BufferedOutputStream(Files.newOutputStream(file), BUFFER);
        return gzip ? new GZIPOutputStream(out, BUFFER) : out;
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}
