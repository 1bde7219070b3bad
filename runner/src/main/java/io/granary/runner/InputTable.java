package io.granary.runner;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.granary.client.TableExportOptions;
import java.nio.file.Path;
import java.util.List;

/**
 * One input table mapping resolved against Storage, ready for an {@link InputStaging} (spec 4.1).
 *
 * @param detail       the table as {@code GET /tables/{id}} returned it
 * @param columns      the columns the component gets: the mapping's, else all of the table's
 * @param changedSince the resolved row filter: {@code -N days} for {@code days}, the previous run's import date
 *                     for {@code adaptive}, the configured value, or null for none
 * @param dataPath     {@code in/tables/<destination>}: where a local staging writes the CSV
 * @param manifestPath {@code in/tables/<destination>.manifest}: every staging writes it
 * @param manifest     the manifest of spec 2.2; a staging adds its own sections ({@code s3}) before writing it
 */
public record InputTable(InputTableMapping mapping, JsonNode detail, List<String> columns, String changedSince,
        Path dataPath, Path manifestPath, ObjectNode manifest) {

    public InputTable {
        columns = List.copyOf(columns);
        detail = detail.deepCopy();
        manifest = manifest.deepCopy();
    }

    public String source() {
        return mapping.source();
    }

    public String destination() {
        return mapping.destination();
    }

    @Override
    public ObjectNode manifest() {
        return manifest.deepCopy();
    }

    @Override
    public JsonNode detail() {
        return detail.deepCopy();
    }

    /** The export request for this mapping (columns, row filter, changed since, limit); a new builder per call. */
    public TableExportOptions exportOptions() {
        TableExportOptions o = TableExportOptions.defaults();
        if (!mapping.columns().isEmpty()) {
            o.columns(mapping.columns());
        }
        if (!mapping.whereValues().isEmpty()) {
            o.where(mapping.whereColumn(), mapping.whereValues(), mapping.whereOperator());
        }
        if (changedSince != null) {
            o.changedSince(changedSince);
        }
        if (mapping.limit() != null) {
            o.limit(mapping.limit());
        }
        return o;
    }

    /** The state entry of this table for the next run: {@code {source, lastImportDate}} (4.1). */
    ObjectNode state() {
        ObjectNode state = Json.object();
        state.put("source", source());
        state.put("lastImportDate", detail.path("lastImportDate").asText(""));
        return state;
    }
}
