package io.granary.server.http;

import com.fasterxml.jackson.databind.JsonNode;
import io.granary.core.csv.CsvDialect;
import io.granary.core.error.ErrorCode;
import io.granary.core.error.GranaryException;
import io.granary.core.port.TableBackend.RowSelection;
import io.granary.core.port.TableBackend.WhereFilter;
import io.granary.core.storage.TableService.ExportOptions;
import io.granary.core.storage.TableService.ImportOptions;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads Table Storage parameters (dialect, columns, filters, times) the way Keboola's clients send them. */
public final class TableParams {

    private static final Pattern RELATIVE = Pattern.compile("([-+]?\\d+)\\s*(second|minute|hour|day|week)s?(\\s+ago)?",
            Pattern.CASE_INSENSITIVE);
    private static final DateTimeFormatter OFFSET_NO_COLON = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ssZ");

    private TableParams() {
    }

    public static CsvDialect dialect(Params p) {
        return CsvDialect.of(p.string("delimiter"), p.string("enclosure"), p.string("escapedBy"));
    }

    /** Primary key as {@code "a,b"} or an array; empty when absent. */
    public static List<String> primaryKey(Params p) {
        List<String> pk = p.list("primaryKey", true);
        return pk == null ? List.of() : pk.stream().map(String::strip).filter(s -> !s.isEmpty()).toList();
    }

    public static long dataFileId(Params p) {
        Long id = p.longValue("dataFileId");
        if (id == null) {
            throw new GranaryException(ErrorCode.TABLES_VALIDATION, "Invalid request:\n - dataFileId: \"This value should not be blank.\"");
        }
        return id;
    }

    public static ImportOptions importOptions(Params p) {
        return new ImportOptions(dataFileId(p), p.bool("incremental", false), dialect(p), p.list("columns", true),
                p.bool("withoutHeaders", false));
    }

    public static ExportOptions exportOptions(Params p, Clock clock) {
        List<String> columns = p.list("columns", true);
        String format = p.string("format");
        if (format != null && !format.isBlank() && !format.equals("rfc") && !format.equals("raw")) {
            throw GranaryException.validation("Invalid request: format: \"" + format + "\" is not supported; use rfc.");
        }
        String fileType = p.string("fileType");
        if (fileType != null && !fileType.isBlank() && !fileType.equals("csv")) {
            throw new GranaryException(ErrorCode.NOT_IMPLEMENTED, "Export to \"" + fileType
                    + "\" is not implemented yet; use fileType=csv.");
        }
        List<String> orderBy = new ArrayList<>();
        JsonNode order = p.node("orderBy");
        if (order != null && order.isArray()) {
            order.forEach(o -> orderBy.add(o.isObject() ? o.path("column").asText() : o.asText()));
        }
        return new ExportOptions(columns == null ? List.of() : columns, selection(p, clock), orderBy, limit(p),
                p.bool("gzip", false), p.bool("merged", false));
    }

    private static Long limit(Params p) {
        Long limit = p.longValue("limit");
        if (limit != null && limit < 0) {
            throw GranaryException.validation("Invalid request: limit: This value should be 0 or more.");
        }
        return limit == null || limit == 0 ? null : limit;
    }

    /** whereColumn/whereValues/whereOperator, whereFilters[], changedSince, changedUntil. */
    public static RowSelection selection(Params p, Clock clock) {
        List<WhereFilter> filters = new ArrayList<>();
        String column = p.string("whereColumn");
        if (column != null && !column.isBlank()) {
            List<String> values = p.list("whereValues", false);
            filters.add(new WhereFilter(column, operator(p.string("whereOperator")), values == null ? List.of() : values));
        }
        JsonNode where = p.node("whereFilters");
        if (where != null) {
            if (!where.isArray() && !where.isObject()) {
                throw GranaryException.validation("Invalid request: whereFilters: This value should be of type array.");
            }
            for (JsonNode f : where) {
                List<String> values = new ArrayList<>();
                JsonNode v = f.get("values");
                if (v != null && (v.isArray() || v.isObject())) {
                    v.forEach(x -> values.add(x.asText()));
                } else if (v != null && !v.isNull()) {
                    values.add(v.asText());
                }
                filters.add(new WhereFilter(f.path("column").asText(""), operator(f.path("operator").asText(null)), values));
            }
        }
        return new RowSelection(filters, time(p, "changedSince", clock), time(p, "changedUntil", clock));
    }

    private static String operator(String op) {
        return op == null || op.isBlank() ? "eq" : op.strip().toLowerCase(Locale.ROOT);
    }

    /** A time as ISO 8601, Unix seconds, or relative ("-2 days", "-1 hour"). */
    static Instant time(Params p, String name, Clock clock) {
        String raw = p.string(name);
        if (raw == null || raw.isBlank()) {
            return null;
        }
        String v = raw.strip();
        try {
            if (v.matches("-?\\d{9,}")) {
                return Instant.ofEpochSecond(Long.parseLong(v));
            }
            Matcher m = RELATIVE.matcher(v);
            if (m.matches()) {
                long n = Long.parseLong(m.group(1));
                if (m.group(3) != null) {
                    n = -Math.abs(n);
                }
                Duration unit = switch (m.group(2).toLowerCase(Locale.ROOT)) {
                    case "second" -> Duration.ofSeconds(1);
                    case "minute" -> Duration.ofMinutes(1);
                    case "hour" -> Duration.ofHours(1);
                    case "day" -> Duration.ofDays(1);
                    default -> Duration.ofDays(7);
                };
                return clock.instant().plus(unit.multipliedBy(n));
            }
            try {
                return OffsetDateTime.parse(v).toInstant();
            } catch (DateTimeParseException e) {
                return OffsetDateTime.parse(v, OFFSET_NO_COLON).toInstant();
            }
        } catch (RuntimeException e) {
            throw GranaryException.validation("Invalid request: " + name + ": \"" + raw
                    + "\" is not a time: use ISO 8601, Unix seconds or a relative time such as \"-1 days\".");
        }
    }
}
