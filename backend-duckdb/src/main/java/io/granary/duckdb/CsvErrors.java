package io.granary.duckdb;

import io.granary.core.error.ErrorCode;
import io.granary.core.error.GranaryException;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns DuckDB's CSV reader errors into short user messages. DuckDB's text is long (it repeats the
 * offending line, which may be megabytes, and lists reader options), so only the line number and the
 * problem are kept; file paths are replaced by the file's position in the load.
 */
final class CsvErrors {

    private static final Pattern LINE = Pattern.compile("CSV Error on Line: (\\d+)");
    private static final Pattern FILE = Pattern.compile("(?m)^\\s*file = (.*)$");
    private static final Pattern COLUMNS = Pattern.compile("Expected Number of Columns: (\\d+) Found: (\\d+)");
    private static final Pattern LINE_SIZE = Pattern.compile("Maximum line size of (\\d+) bytes exceeded");

    private CsvErrors() {
    }

    /** A user error for a CSV problem, or null when the message is not about the file's content. */
    static GranaryException fromDuckDb(String message, List<Path> files) {
        if (message == null) {
            return null;
        }
        String where = where(message, files);
        String problem = problem(message);
        if (problem == null) {
            return null;
        }
        Matcher line = LINE.matcher(message);
        String text = line.find() ? "Line " + line.group(1) + ": " + problem : capitalise(problem);
        return new GranaryException(ErrorCode.INVALID_CSV, "Invalid CSV file" + where + ". " + text + ".");
    }

    private static String problem(String m) {
        Matcher cols = COLUMNS.matcher(m);
        if (cols.find()) {
            return "expected " + cols.group(1) + " fields, found " + cols.group(2);
        }
        if (m.contains("unterminated quote")) {
            return "a quoted value is not closed (unterminated quote)";
        }
        if (m.contains("Invalid unicode") || m.contains("not utf-8 encoded")) {
            return "invalid UTF-8 byte sequence (the file must be UTF-8 encoded)";
        }
        Matcher size = LINE_SIZE.matcher(m);
        if (size.find()) {
            return "a line is longer than the maximum of " + size.group(1) + " bytes";
        }
        if (m.contains("state machine reached an invalid state")) {
            return "the file cannot be parsed with the given delimiter, enclosure and escape character"
                    + " (a stray enclosure character or mixed CRLF/LF line ends)";
        }
        if (m.contains("GZIP") || m.contains("gzip") || m.contains("ZLIB") || m.contains("zlib")) {
            return "invalid gzip data (" + firstLine(m).replaceFirst("^[A-Za-z ]+Error: ", "")
                    .replaceAll(":\\s*/\\S*", "").trim() + ")";
        }
        if (m.startsWith("Invalid Input Error: CSV Error") || m.contains("CSV Error on Line")) {
            return "malformed CSV row";
        }
        return null;
    }

    private static String where(String m, List<Path> files) {
        Matcher f = FILE.matcher(m);
        String name = f.find() ? f.group(1).trim() : null;
        if (name == null) {
            for (Path p : files) {
                if (m.contains(p.toAbsolutePath().toString())) {
                    name = p.toAbsolutePath().toString();
                }
            }
        }
        if (name == null || files.size() < 2) {
            return "";
        }
        for (int i = 0; i < files.size(); i++) {
            if (files.get(i).toAbsolutePath().toString().equals(name)) {
                return " (file " + (i + 1) + " of " + files.size() + ")";
            }
        }
        return "";
    }

    private static String firstLine(String m) {
        int nl = m.indexOf('\n');
        return nl < 0 ? m : m.substring(0, nl);
    }

    private static String capitalise(String s) {
        return s.isEmpty() ? s : Character.toUpperCase(s.charAt(0)) + s.substring(1);
    }
}
