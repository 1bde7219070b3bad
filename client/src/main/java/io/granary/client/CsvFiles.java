package io.granary.client;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;

/** CSV helpers a caller of sliced uploads needs. Reads only what it must; a gzip file is read transparently. */
public final class CsvFiles {

    /** A header line longer than this is refused rather than buffered. */
    static final int MAX_HEADER_BYTES = 8 * 1024 * 1024;

    private CsvFiles() {
    }

    /** The column names of the first record of {@code csv} ({@code ,} delimited, {@code "} enclosed). */
    public static List<String> readHeader(Path csv) throws IOException {
        return readHeader(csv, ',', '"');
    }

    /**
     * The column names of the first record of {@code csv}, unquoted, as written (the server sanitises names
     * itself). A leading UTF-8 byte order mark is dropped. An empty file yields an empty list.
     */
    public static List<String> readHeader(Path csv, char delimiter, Character enclosure) throws IOException {
        try (InputStream in = open(csv)) {
            byte[] record = firstRecord(in, enclosure);
            return parseRecord(new String(record, StandardCharsets.UTF_8), delimiter, enclosure);
        }
    }

    /** Opens a file for reading, gunzipping it when it starts with the gzip magic bytes. */
    static InputStream open(Path file) throws IOException {
        InputStream raw = new BufferedInputStream(Files.newInputStream(file), 64 * 1024);
        try {
            raw.mark(2);
            int b1 = raw.read();
            int b2 = raw.read();
            raw.reset();
            if (b1 == 0x1f && b2 == 0x8b) {
                return new BufferedInputStream(new GZIPInputStream(raw, 64 * 1024), 64 * 1024);
            }
            return raw;
        } catch (IOException e) {
            raw.close();
            throw e;
        }
    }

    /** Reads the bytes of the first record (without its line end), keeping track of enclosures. */
    static byte[] firstRecord(InputStream in, Character enclosure) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int enc = enclosure == null ? -1 : enclosure;
        boolean quoted = false;
        int b;
        while ((b = in.read()) != -1) {
            if (b == enc) {
                quoted = !quoted;
            } else if (b == '\n' && !quoted) {
                break;
            }
            out.write(b);
            if (out.size() > MAX_HEADER_BYTES) {
                throw new IOException("The first record is longer than " + MAX_HEADER_BYTES + " bytes: not a CSV header");
            }
        }
        byte[] bytes = out.toByteArray();
        int start = bytes.length >= 3 && (bytes[0] & 0xff) == 0xef && (bytes[1] & 0xff) == 0xbb && (bytes[2] & 0xff) == 0xbf
                ? 3 : 0;
        int end = bytes.length > start && bytes[bytes.length - 1] == '\r' ? bytes.length - 1 : bytes.length;
        byte[] result = new byte[end - start];
        System.arraycopy(bytes, start, result, 0, result.length);
        return result;
    }

    static List<String> parseRecord(String line, char delimiter, Character enclosure) {
        List<String> fields = new ArrayList<>();
        if (line.isEmpty()) {
            return fields;
        }
        StringBuilder field = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (quoted) {
                if (enclosure != null && c == enclosure) {
                    if (i + 1 < line.length() && line.charAt(i + 1) == enclosure) {
                        field.append(c);
                        i++;
                    } else {
                        quoted = false;
                    }
                } else {
                    field.append(c);
                }
            } else if (enclosure != null && c == enclosure) {
                quoted = true;
            } else if (c == delimiter) {
                fields.add(field.toString());
                field.setLength(0);
            } else {
                field.append(c);
            }
        }
        fields.add(field.toString());
        return fields;
    }

    /** Quotes values as Keboola's exports do: every value in the enclosure, enclosures doubled, LF at the end. */
    static String quoteRecord(List<String> values) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < values.size(); i++) {
            if (i > 0) {
                sb.append(',');
            }
            sb.append('"').append(values.get(i).replace("\"", "\"\"")).append('"');
        }
        return sb.append('\n').toString();
    }
}
