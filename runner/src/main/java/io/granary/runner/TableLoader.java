package io.granary.runner;

import com.fasterxml.jackson.databind.JsonNode;
import io.granary.client.FileUploadOptions;
import io.granary.client.StorageApiException;
import io.granary.client.StorageClient;
import io.granary.client.TableCreateOptions;
import io.granary.client.TableExportOptions;
import io.granary.client.TableImportOptions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Future;

/**
 * Loads resolved outputs into Storage (spec 3.6): missing buckets first, then every destination table in parallel
 * (outputs into the same table one after another, in order): create or re-key the table, run its deletes, move the
 * rows through the {@link OutputStaging}, then set the system and the component's metadata.
 */
final class TableLoader {

    private final StorageClient client;
    private final RunLog log;
    private final int parallelism;
    private final OutputMapping.Context context;
    private final OutputStaging staging;

    TableLoader(StorageClient client, RunLog log, int parallelism, OutputMapping.Context context, OutputStaging staging) {
        this.client = client;
        this.log = log;
        this.parallelism = Math.max(1, parallelism);
        this.context = context;
        this.staging = staging;
    }

    /**
     * Returns the written table ids.
     *
     * @throws UserException {@code Failed to load table "<id>": <message>} for each failed table, one per line
     */
    List<String> load(List<TableOutput> outputs) {
        Map<String, List<TableOutput>> byTable = new LinkedHashMap<>();
        for (TableOutput o : outputs) {
            byTable.computeIfAbsent(o.destination(), k -> new ArrayList<>()).add(o);
        }
        Set<String> buckets = new LinkedHashSet<>();
        byTable.values().forEach(list -> buckets.add(list.get(0).bucketId()));
        for (String b : buckets) {
            ensureBucket(b);
        }
        List<String> errors = new ArrayList<>();
        List<String> written = new ArrayList<>();
        try (Parallel pool = new Parallel(parallelism, byTable.size())) {
            Map<String, Future<Void>> futures = new LinkedHashMap<>();
            for (Map.Entry<String, List<TableOutput>> e : byTable.entrySet()) {
                futures.put(e.getKey(), pool.submit(() -> {
                    for (TableOutput o : e.getValue()) {
                        load(o);
                    }
                    return null;
                }));
            }
            for (Map.Entry<String, Future<Void>> f : futures.entrySet()) {
                try {
                    Parallel.await(f.getValue());
                    written.add(f.getKey());
                } catch (StorageApiException | UserException | ApplicationException | UncheckedIOException e) {
                    errors.add("Failed to load table \"" + f.getKey() + "\": " + e.getMessage());
                }
            }
        }
        if (!errors.isEmpty()) {
            throw new UserException(String.join("\n", errors));
        }
        return written;
    }

    private void ensureBucket(String bucketId) {
        try {
            client.getBucket(bucketId);
            return;
        } catch (StorageApiException e) {
            if (e.status() != 404) {
                throw new UserException("Cannot create bucket \"" + bucketId + "\" in Storage API: " + e.getMessage(), e);
            }
        }
        String[] parts = bucketId.split("\\.", 2);
        String stage = parts[0];
        String name = parts[1].startsWith("c-") ? parts[1].substring(2) : parts[1];
        try {
            client.createBucket(name, stage, null);
            log.info("Created bucket \"" + bucketId + "\".");
        } catch (StorageApiException e) {
            try {
                client.getBucket(bucketId); // created meanwhile by someone else: fine
            } catch (StorageApiException again) {
                throw new UserException("Cannot create bucket \"" + name + "\" in Storage API: " + e.getMessage(), e);
            }
        }
    }

    private void load(TableOutput o) throws IOException {
        boolean created;
        try (TableData data = staging.open(o)) {
            created = loadRows(o, data);
        }
        // 3.6.6: system metadata (created on new tables, last updated always), then the component's own
        List<Map<String, String>> system = new ArrayList<>();
        for (String prefix : created ? List.of("KBC.createdBy.", "KBC.lastUpdatedBy.") : List.of("KBC.lastUpdatedBy.")) {
            system.add(Map.of("key", prefix + "component.id", "value", String.valueOf(context.componentId())));
            if (context.configId() != null) {
                system.add(Map.of("key", prefix + "configuration.id", "value", context.configId()));
            }
        }
        try {
            client.setTableMetadata(o.destination(), "system", system, Map.of());
            if (!o.metadata().isEmpty() || !o.columnMetadata().isEmpty()) {
                client.setTableMetadata(o.destination(), String.valueOf(context.componentId()), o.metadata(),
                        o.columnMetadata());
            }
        } catch (StorageApiException e) {
            throw new UserException("Failed to update metadata of table \"" + o.destination() + "\": " + e.getMessage(), e);
        }
    }

    /** Loads the rows; true when the table was created by this load. */
    private boolean loadRows(TableOutput o, TableData data) throws IOException {
        JsonNode existing = null;
        try {
            existing = client.getTable(o.destination());
        } catch (StorageApiException e) {
            if (e.status() != 404) {
                throw e;
            }
        }
        boolean empty = data.empty();
        if (empty && o.columns().isEmpty()) {
            // nothing names the columns and nothing is to load: the reference refuses before touching the table
            throw new UserException("There are no data in import file");
        }
        if (existing == null && (o.columns().isEmpty() || data.namesItsColumns())) {
            // create from the data's own header (3.6.5 "create-from-file") or the workspace table's columns
            data.createTable(o.bucketId(), o.tableName(), TableCreateOptions.defaults().primaryKey(o.primaryKey())
                    .columns(o.columns()).delimiter(o.delimiter()).enclosure(o.enclosure()));
            log.info("Created table \"" + o.destination() + "\" from \"" + o.source() + "\".");
            return true;
        }
        if (existing == null) {
            createFromColumns(o);
        } else {
            changePrimaryKey(o, Json.strings(existing.get("primaryKey")));
            for (DeleteRule rule : o.deletes()) {
                try {
                    Map<String, Object> body = rule.body(this::columnValues);
                    if (!DeleteRule.matchesNothing(body)) {
                        client.deleteTableRows(o.destination(), body);
                    }
                } catch (StorageApiException e) {
                    throw new UserException("Cannot delete rows from table \"" + o.destination() + "\" in Storage: "
                            + e.getMessage(), e);
                }
            }
        }
        if (empty && existing == null) {
            return true; // a new table with columns and no rows (3.10: empty slice / empty dir)
        }
        TableImportOptions io = TableImportOptions.defaults().incremental(o.incremental()).delimiter(o.delimiter())
                .enclosure(o.enclosure());
        if (o.headless()) {
            io.columns(o.columns()).withoutHeaders(true);
        } else if (!o.columns().isEmpty()) {
            // has_header with columns: the file's first line is skipped and the configured columns name the data
            io.columns(o.columns()).withoutHeaders(false);
        }
        data.importInto(o.destination(), io);
        log.info("Loaded \"" + o.source() + "\" into table \"" + o.destination() + "\""
                + (o.incremental() ? " (incremental)." : "."));
        return existing == null;
    }

    /** The distinct values of one column of a Storage table (exported, read quote-aware) for {@code values_from_storage}. */
    private List<String> columnValues(DeleteRule.FromStorage source) throws IOException {
        Path csv = Files.createTempFile("granary-values-", ".csv");
        try {
            client.exportTable(source.tableId(), csv, TableExportOptions.defaults().columns(List.of(source.column())));
            LinkedHashSet<String> values = new LinkedHashSet<>();
            String text = Files.readString(csv);
            StringBuilder field = new StringBuilder();
            boolean quoted = false;
            boolean header = true;
            for (int i = 0; i < text.length(); i++) {
                char ch = text.charAt(i);
                if (quoted) {
                    if (ch == '"' && i + 1 < text.length() && text.charAt(i + 1) == '"') {
                        field.append('"');
                        i++;
                    } else if (ch == '"') {
                        quoted = false;
                    } else {
                        field.append(ch);
                    }
                } else if (ch == '"') {
                    quoted = true;
                } else if (ch == '\n') {
                    if (!header) {
                        values.add(field.toString());
                    }
                    header = false;
                    field.setLength(0);
                } else if (ch != '\r') {
                    field.append(ch);
                }
            }
            return new ArrayList<>(values);
        } catch (StorageApiException e) {
            throw new UserException("Cannot read values from table \"" + source.tableId() + "\" for delete_where: "
                    + e.getMessage(), e);
        } finally {
            Files.deleteIfExists(csv);
        }
    }

    /** 3.6: a configured key that differs from the table's replaces it; a failure is a warning, not fatal. */
    private void changePrimaryKey(TableOutput o, List<String> current) {
        if (current.size() == o.primaryKey().size() && new LinkedHashSet<>(current).equals(new LinkedHashSet<>(o.primaryKey()))) {
            return;
        }
        log.warn("Modifying primary key of table \"" + o.destination() + "\" from \"" + String.join(", ", current)
                + "\" to \"" + String.join(", ", o.primaryKey()) + "\".");
        try {
            if (!current.isEmpty()) {
                client.removeTablePrimaryKey(o.destination());
            }
            if (!o.primaryKey().isEmpty()) {
                client.createTablePrimaryKey(o.destination(), o.primaryKey());
            }
        } catch (StorageApiException e) {
            log.warn("Error changing primary key of table \"" + o.destination() + "\": " + e.getMessage());
            if (!current.isEmpty()) {
                try {
                    client.createTablePrimaryKey(o.destination(), current);
                } catch (StorageApiException ignored) {
                    // the table keeps no key; the load still runs
                }
            }
        }
    }

    /** A new table named by the configured columns: created from a header-only CSV (3.6.5). */
    private void createFromColumns(TableOutput o) throws IOException {
        Path header = Files.createTempFile("granary-header-", ".csv");
        try {
            StringBuilder sb = new StringBuilder();
            for (String c : o.columns()) {
                sb.append(sb.length() == 0 ? "" : ",").append('"').append(c.replace("\"", "\"\"")).append('"');
            }
            Files.writeString(header, sb.append('\n').toString());
            long fileId = client.uploadFile(header, FileUploadOptions.defaults().name(o.tableName() + ".header.csv")
                    .tags(o.tags()));
            client.createTableAsync(o.bucketId(), o.tableName(), fileId, TableCreateOptions.defaults().primaryKey(o.primaryKey()));
            log.info("Created table \"" + o.destination() + "\".");
        } finally {
            Files.deleteIfExists(header);
        }
    }
}
