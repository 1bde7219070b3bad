package io.granary.postgres;

import io.granary.core.csv.CsvChecker;
import io.granary.core.csv.CsvDialect;
import io.granary.core.csv.CsvScan;
import io.granary.core.error.ErrorCode;
import io.granary.core.error.GranaryException;
import java.io.IOException;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.postgresql.util.PSQLException;
import org.postgresql.util.ServerErrorMessage;

/**
 * Turns a failed COPY into the user error the DuckDB backend gives for the same file: {@code Invalid CSV
 * file (file i of n). Line N: problem.} COPY names the problem but counts lines its own way (the line
 * where a record ends, after blank lines were dropped) and does not say how many fields it found, so
 * the file is read again with {@link CsvChecker}, which names the line where the bad record starts;
 * COPY's own words are the fallback.
 */
final class PgCsvErrors {

    private static final Pattern LINE = Pattern.compile("\\bline (\\d+)");

    private PgCsvErrors() {
    }

    /**
     * A user error for a COPY that failed on the content of {@code file}, or null when the failure is not
     * about the file's content.
     */
    static GranaryException fromCopy(SQLException e, Path file, String where, CsvDialect dialect, int columns,
            boolean header) {
        ServerErrorMessage m = e instanceof PSQLException p ? p.getServerErrorMessage() : null;
        String state = m == null ? e.getSQLState() : m.getSQLState();
        if (m == null || state == null) {
            return null;
        }
        boolean tooLong = state.equals("54000") && m.getDetail() != null && m.getDetail().contains("enlarge string buffer");
        if (!state.startsWith("22") && !tooLong) {
            return null;
        }
        CsvChecker.Problem found = check(file, dialect, columns, header);
        if (found != null) {
            return invalid(where, "Line " + found.line() + ": " + found.text(), e);
        }
        String text = tooLong ? "a line is longer than PostgreSQL's limit of 1 GB" : problem(m.getMessage(), columns);
        Matcher line = LINE.matcher(m.getWhere() == null ? "" : m.getWhere());
        return invalid(where, line.find() ? "Line " + line.group(1) + ": " + text : capitalise(text), e);
    }

    /** A gzip stream that cannot be read to its end. */
    static GranaryException gzip(String where, IOException e) {
        String detail = e.getMessage() == null ? "unexpected end of the stream" : e.getMessage();
        return new GranaryException(ErrorCode.INVALID_CSV, "Invalid CSV file" + where + ". Invalid gzip data (" + detail
                + ").", e);
    }

    /** {@code " (file i of n)"} when a load has several files. */
    static String where(int index, int count) {
        return count > 1 ? " (file " + (index + 1) + " of " + count + ")" : "";
    }

    private static GranaryException invalid(String where, String text, Throwable cause) {
        return new GranaryException(ErrorCode.INVALID_CSV, "Invalid CSV file" + where + ". " + text + ".", cause);
    }

    private static CsvChecker.Problem check(Path file, CsvDialect dialect, int columns, boolean header) {
        try {
            return CsvScan.check(file, dialect, columns, header, () -> false).problem();
        } catch (IOException unreadable) {
            return null;
        }
    }

    private static String problem(String message, int columns) {
        String m = message == null ? "" : message;
        if (m.startsWith("extra data after last expected column")) {
            return "more than the expected " + columns + " fields";
        }
        if (m.startsWith("missing data for column")) {
            return "fewer than the expected " + columns + " fields";
        }
        if (m.startsWith("unterminated CSV quoted field")) {
            return CsvChecker.UNTERMINATED;
        }
        if (m.startsWith("invalid byte sequence")) {
            return m.endsWith("0x00") ? CsvChecker.NUL : CsvChecker.UTF8;
        }
        int nl = m.indexOf('\n');
        return "malformed CSV row (" + (nl < 0 ? m : m.substring(0, nl)) + ")";
    }

    private static String capitalise(String s) {
        return s.isEmpty() ? s : Character.toUpperCase(s.charAt(0)) + s.substring(1);
    }
}
