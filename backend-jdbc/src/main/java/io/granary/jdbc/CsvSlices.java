package io.granary.jdbc;

import io.granary.core.error.ErrorCode;
import io.granary.core.error.GranaryException;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes the rows of a JDBC result as CSV slices in the format of {@code TableBackend#export}: no header, every value
 * in {@code "} with {@code ""} for a quote, {@code ,} between values, LF after each row, UTF-8; SQL NULL is an empty
 * string. One row at a time goes through a fixed buffer, so a result of any size streams (as far as the driver
 * streams it); a new slice starts once the current one passes {@code sliceBytes}.
 */
public final class CsvSlices {

    /** What was written: the slices in order and the number of rows. */
    public record Written(List<Path> slices, long rows) {
    }

    private static final int BUFFER = 1 << 16;

    private CsvSlices() {
    }

    /** Every row of {@code rs} (its first {@code columns} values, each read as a string) into slices under {@code dir}. */
    public static Written write(ResultSet rs, int columns, Path dir, long sliceBytes) throws SQLException {
        List<Path> slices = new ArrayList<>();
        long rows = 0;
        Writer out = null;
        long written = 0;
        try {
            Files.createDirectories(dir);
            out = open(dir, slices);
            StringBuilder line = new StringBuilder();
            while (rs.next()) {
                if ((rows & 0x3ff) == 0 && Thread.currentThread().isInterrupted()) {
                    throw new GranaryException(ErrorCode.JOB_INTERRUPTED, "The export was interrupted.");
                }
                line.setLength(0);
                for (int i = 1; i <= columns; i++) {
                    String v = rs.getString(i);
                    line.append(i == 1 ? "\"" : ",\"").append(v == null ? "" : v.replace("\"", "\"\"")).append('"');
                }
                line.append('\n');
                if (written >= sliceBytes) {
                    out.close();
                    out = open(dir, slices);
                    written = 0;
                }
                out.append(line);
                // chars, not bytes: a slice boundary needs no precision
                written += line.length();
                rows++;
            }
            out.close();
            out = null;
            return new Written(List.copyOf(slices), rows);
        } catch (IOException e) {
            throw new GranaryException(ErrorCode.INTERNAL, "Cannot write the export: " + e.getMessage(), e);
        } finally {
            if (out != null) {
                try {
                    out.close();
                } catch (IOException ignored) {
                    // the failure that got us here is the one to report
                }
            }
        }
    }

    private static Writer open(Path dir, List<Path> slices) throws IOException {
        Path slice = dir.resolve(String.format("slice_%05d.csv", slices.size()));
        slices.add(slice);
        return new BufferedWriter(new OutputStreamWriter(Files.newOutputStream(slice), StandardCharsets.UTF_8), BUFFER);
    }
}
