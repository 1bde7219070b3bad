package io.granary.runner;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.granary.client.StorageApiException;
import io.granary.client.StorageClient;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Input mapping (spec 4.1, 4.3): every table mapping resolved against Storage (its detail, export options and
 * manifest), then handed to the {@link InputStaging} as one batch; files downloaded into {@code in/files}.
 */
public final class InputMapping {

    /**
     * What the file input mapping did: the adaptive states for the next run ({@code [{tags, lastImportId}]}, 4.2)
     * and, per matched file, the {@code processed_tags} to add after a successful run.
     */
    public record FilesResult(ArrayNode states, Map<Long, List<String>> processedTags) {
    }

    private final StorageClient client;
    private final DataFolder folder;
    private final int parallelism;
    private final InputStaging staging;
    private final InputFiles files;

    public InputMapping(StorageClient client, DataFolder folder, RunLog log, int parallelism, InputStaging staging) {
        this.client = client;
        this.folder = folder;
        this.parallelism = Math.max(1, parallelism);
        this.staging = staging;
        this.files = new InputFiles(client, folder, log, this.parallelism);
    }

    /**
     * Resolves every table mapping (in parallel; the first failure in mapping order is thrown), then stages them.
     *
     * @param previousTableStates {@code state.storage.input.tables} of the previous run (for {@code adaptive})
     * @return the new table states {@code [{source, lastImportDate}]}
     * @throws UserException {@code Cannot import data from Storage API: …} for a table Storage does not have
     */
    public ArrayNode stageTables(List<InputTableMapping> tables, JsonNode previousTableStates) throws IOException {
        Map<String, String> lastImport = new LinkedHashMap<>();
        if (previousTableStates != null) {
            previousTableStates.forEach(s -> lastImport.put(s.path("source").asText(), s.path("lastImportDate").asText(null)));
        }
        List<InputTable> resolved = Parallel.map(tables, parallelism, t -> resolve(t, lastImport.get(t.source())));
        staging.stageTables(resolved);
        ArrayNode states = Json.array();
        resolved.forEach(t -> states.add(t.state()));
        return states;
    }

    /** Downloads every file mapping into {@code in/files/<id>_<name>} plus manifests (spec 4.3, 2.4). */
    public FilesResult downloadFiles(List<InputFileMapping> mappings, JsonNode previousStates) {
        return files.download(mappings, previousStates);
    }

    private InputTable resolve(InputTableMapping mapping, String previousImport) {
        JsonNode table;
        try {
            table = client.getTable(mapping.source());
        } catch (StorageApiException e) {
            throw new UserException("Cannot import data from Storage API: " + e.getMessage(), e);
        }
        List<String> columns = mapping.columns().isEmpty() ? Json.strings(table.get("columns")) : mapping.columns();
        String changedSince = null;
        if (mapping.days() > 0) {
            changedSince = "-" + mapping.days() + " days";
        } else if ("adaptive".equals(mapping.changedSince())) {
            if (previousImport != null && !previousImport.isEmpty()) {
                changedSince = previousImport;
            }
        } else if (!mapping.changedSince().isEmpty()) {
            changedSince = mapping.changedSince();
        }
        Path data = safeChild(folder.inTables(), mapping.destination());
        return new InputTable(mapping, table, columns, changedSince, data,
                data.resolveSibling(data.getFileName() + ".manifest"), tableManifest(table, columns));
    }

    /** The manifest of spec 2.2 with the date format of 8.3; never {@code schema} (8.3). */
    ObjectNode tableManifest(JsonNode table, List<String> columns) {
        ObjectNode m = Json.object();
        String id = table.path("id").asText();
        m.put("id", id);
        m.put("uri", table.hasNonNull("uri") ? table.get("uri").asText() : client.host() + "/v2/storage/tables/" + id);
        m.put("name", table.path("name").asText());
        m.set("primary_key", Json.toArray(Json.strings(table.get("primaryKey"))));
        m.set("distribution_key", Json.toArray(Json.strings(table.get("distributionKey"))));
        m.put("created", Json.keboolaTime(table.path("created").asText(null)));
        m.put("last_change_date", Json.keboolaTime(table.path("lastChangeDate").asText(null)));
        m.put("last_import_date", Json.keboolaTime(table.path("lastImportDate").asText(null)));
        String description = null;
        ArrayNode metadata = Json.array();
        for (JsonNode md : table.path("metadata")) {
            metadata.add(metadataEntry(md));
            if ("KBC.description".equals(md.path("key").asText())) {
                description = md.path("value").asText();
            }
        }
        if (description != null && !description.isEmpty()) {
            m.put("description", description);
        }
        m.set("columns", Json.toArray(columns));
        m.set("metadata", metadata);
        ObjectNode columnMetadata = Json.object();
        JsonNode cm = table.path("columnMetadata");
        for (String c : columns) {
            ArrayNode entries = columnMetadata.putArray(c);
            cm.path(c).forEach(md -> entries.add(metadataEntry(md)));
        }
        m.set("column_metadata", columnMetadata);
        return m;
    }

    private static ObjectNode metadataEntry(JsonNode md) {
        ObjectNode e = Json.object();
        e.put("id", md.path("id").asText());
        e.put("key", md.path("key").asText());
        e.put("value", md.path("value").asText());
        e.put("provider", md.path("provider").asText());
        e.put("timestamp", Json.keboolaTime(md.path("timestamp").asText(null)));
        return e;
    }

    /** {@code dir/name}, refusing names that leave {@code dir} or are empty. */
    static Path safeChild(Path dir, String name) {
        Path p = dir.resolve(name).normalize();
        if (!p.getParent().equals(dir.normalize()) || name.isEmpty()) {
            throw new UserException("Invalid destination \"" + name + "\": must be a plain file name.");
        }
        return p;
    }
}
