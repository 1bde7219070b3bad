package io.granary.core.storage;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.GZIPOutputStream;

/**
 * Joins an export's slices into one file: a header line of the exported columns, quoted as the slices' values are,
 * then every slice in order. Gzipped slices are complete gzip members, so the header becomes one more member in
 * front and the file is a valid gzip stream read as one text. Streams slice by slice from the object store.
 */
final class MergedExport {

    private MergedExport() {
    }

    /** Opens one slice (an object key) for reading. */
    interface Slices {
        java.io.InputStream open(String slice);
    }

    static Path write(List<String> columns, List<String> slices, Slices store, boolean gzip, Path target)
            throws IOException {
        StringBuilder header = new StringBuilder();
        for (int i = 0; i < columns.size(); i++) {
            header.append(i == 0 ? "" : ",").append('"').append(columns.get(i).replace("\"", "\"\"")).append('"');
        }
        byte[] line = header.append('\n').toString().getBytes(StandardCharsets.UTF_8);
        try (OutputStream out = Files.newOutputStream(target)) {
            if (gzip) {
                writeGzipMember(out, line);
            } else {
                out.write(line);
            }
            for (String slice : slices) {
                try (java.io.InputStream in = store.open(slice)) {
                    in.transferTo(out);
                }
            }
        }
        return target;
    }

    private static void writeGzipMember(OutputStream out, byte[] bytes) throws IOException {
        // over a wrapper whose close() does nothing: closing the member ends it and frees its Deflater, out stays open
        OutputStream shield = new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                out.write(b);
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                out.write(b, off, len);
            }
        };
        try (GZIPOutputStream member = new GZIPOutputStream(shield)) {
            member.write(bytes);
        }
    }
}
