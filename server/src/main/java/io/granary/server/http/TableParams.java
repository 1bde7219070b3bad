package io.granary.server.http;

import com.fasterxml.jackson.databind.JsonNode;
import io.granary.core.csv.CsvDialect;
import io.granary.core.error.ErrorCode;
import io.granary.core.error.GranaryException;
import io.granary.core.job.ImportSource;
import io.granary.core.model.FileType;
import io.granary.core.storage.SelectionInput;
import io.granary.core.storage.TableService.CreateInput;
import io.granary.core.storage.TableService.ExportInput;
import io.granary.core.storage.TableService.ImportInput;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads Table Storage parameters (dialect, columns, filters, times) the way Keboola's clients send them into
 * the inputs of {@link io.granary.core.storage.TableService}. Only the form of each parameter is checked here;
 * what they mean (times, operators, columns of the table) is checked by the use case.
 */
public final class TableParams {

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

    /** Where a load reads: {@code dataFileId}, or a workspace table ({@code dataWorkspaceId} + {@code dataObject}). */
    public static ImportSource source(Params p) {
        Long id = p.longValue("dataFileId");
        Long workspace = p.longValue("dataWorkspaceId");
        if (workspace != null) {
            if (id != null) {
                throw new GranaryException(ErrorCode.TABLES_VALIDATION, "Invalid request:\n - dataFileId: \"Give either"
                        + " dataFileId or dataWorkspaceId, not both.\"");
            }
            return new ImportSource.WorkspaceSource(workspace, p.string("dataObject"));
        }
        if (id == null) {
            throw new GranaryException(ErrorCode.TABLES_VALIDATION, "Invalid request:\n - dataFileId: \"This value should not be blank.\"");
        }
        return new ImportSource.FileSource(id);
    }

    /** {@code tables-async}: dialect, {@code name}, the source, {@code primaryKey}, {@code columns} (workspace only). */
    public static CreateInput createInput(Params p) {
        CsvDialect dialect = dialect(p);
        String name = p.string("name");
        ImportSource source = source(p);
        return new CreateInput(name, source, dialect, primaryKey(p), p.list("columns", true));
    }

    /** {@code import-async} and {@code write-table}. */
    public static ImportInput importInput(Params p) {
        return new ImportInput(source(p), p.bool("incremental", false), dialect(p), p.list("columns", true),
                p.bool("withoutHeaders", false));
    }

    public static ExportInput exportInput(Params p) {
        List<String> columns = p.list("columns", true);
        String format = p.string("format");
        if (format != null && !format.isBlank() && !format.equals("rfc") && !format.equals("raw")) {
            throw GranaryException.validation("Invalid request: format: \"" + format + "\" is not supported; use rfc.");
        }
        FileType fileType = FileType.parse(p.string("fileType"));
        List<String> orderBy = new ArrayList<>();
        JsonNode order = p.node("orderBy");
        if (order != null && order.isArray()) {
            order.forEach(o -> orderBy.add(o.isObject() ? o.path("column").asText() : o.asText()));
        }
        SelectionInput selection = selection(p);
        return new ExportInput(columns == null ? List.of() : columns, selection, orderBy, limit(p), p.bool("gzip", false),
                fileType, p.bool("merged", false));
    }

    private static Long limit(Params p) {
        Long limit = p.longValue("limit");
        if (limit != null && limit < 0) {
            throw GranaryException.validation("Invalid request: limit: This value should be 0 or more.");
        }
        return limit == null || limit == 0 ? null : limit;
    }

    /** whereColumn/whereValues/whereOperator, whereFilters[], changedSince, changedUntil. */
    public static SelectionInput selection(Params p) {
        List<SelectionInput.Filter> filters = new ArrayList<>();
        String column = p.string("whereColumn");
        if (column != null && !column.isBlank()) {
            List<String> values = p.list("whereValues", false);
            filters.add(new SelectionInput.Filter(column, p.string("whereOperator"), values));
        }
        JsonNode where = p.node("whereFilters");
        if (where != null) {
            // the reference's texts; an object is what form encoding (whereFilters[0][column]=…) gives
            if (!where.isArray() && !where.isObject()) {
                throw GranaryException.validation("Parameter \"whereFilters\" should be an array, but parameter contains:\n"
                        + where);
            }
            for (JsonNode f : where) {
                if (!f.isObject()) {
                    throw GranaryException.validation("All items in param \"whereFilters\" should be an arrays, but parameter"
                            + " contains:\n" + where);
                }
                List<String> values = new ArrayList<>();
                JsonNode v = f.get("values");
                if (v != null && (v.isArray() || v.isObject())) {
                    v.forEach(x -> values.add(x.asText()));
                } else if (v != null && !v.isNull()) {
                    values.add(v.asText());
                }
                filters.add(new SelectionInput.Filter(f.path("column").asText(""), f.path("operator").asText(null),
                        values));
            }
        }
        return new SelectionInput(filters, p.string("changedSince"), p.string("changedUntil"));
    }
}
