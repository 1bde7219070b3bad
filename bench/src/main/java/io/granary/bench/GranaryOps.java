package io.granary.bench;

import com.fasterxml.jackson.databind.JsonNode;
import io.granary.client.FileUploadOptions;
import io.granary.client.StorageClient;
import io.granary.client.TableCreateOptions;
import io.granary.client.TableImportOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The Granary side of the scenarios, done as a user does it: through the Java client.
 */
final class GranaryOps {

    /** Seconds spent uploading and in the job, and the table it loaded. */
    record Load(double uploadSeconds, double jobSeconds, String tableId) {
        double total() {
            return uploadSeconds + jobSeconds;
        }

        Map<String, Object> detail() {
            return Map.of("uploadSeconds", uploadSeconds, "jobSeconds", jobSeconds);
        }
    }

    private GranaryOps() {
    }

    /** Uploads a CSV with a header (gzipped or not) and creates a table from it with {@code tables-async}. */
    static Load create(StorageClient client, String bucketId, String name, Path csv, List<String> primaryKey)
            throws Exception {
        long t0 = System.nanoTime();
        long fileId = client.uploadFile(csv);
        double upload = Timer.since(t0);
        long t1 = System.nanoTime();
        JsonNode job = client.createTableAsync(bucketId, name, fileId, TableCreateOptions.defaults().primaryKey(primaryKey));
        double jobSeconds = Timer.since(t1);
        client.deleteFile(fileId);
        return new Load(upload, jobSeconds, job.path("results").path("id").asText());
    }

    /** Uploads a CSV with a header and loads it into an existing table with {@code import-async}. */
    static Load write(StorageClient client, String tableId, Path csv, boolean incremental) throws Exception {
        long t0 = System.nanoTime();
        long fileId = client.uploadFile(csv);
        double upload = Timer.since(t0);
        long t1 = System.nanoTime();
        client.writeTableAsync(tableId, fileId, TableImportOptions.defaults().incremental(incremental));
        double jobSeconds = Timer.since(t1);
        client.deleteFile(fileId);
        return new Load(upload, jobSeconds, tableId);
    }

    /**
     * Creates a table from header-less slices as the client's sliced upload does: the table from a file holding
     * only the header, then one sliced file (the existing slices uploaded 4 at a time by the client's
     * {@code uploadSlicedFile}, then the manifest) loaded with the header as {@code columns}. The header part
     * counts as upload and job time too.
     */
    static Load createFromSlices(StorageClient client, String bucketId, String name, List<Path> slices, Path scratch)
            throws Exception {
        long t0 = System.nanoTime();
        Path header = scratch.resolve(name + ".header.csv");
        Files.writeString(header, CsvGenerator.HEADER);
        Load created = create(client, bucketId, name, header, List.of());
        long t1 = System.nanoTime();
        long fileId = client.uploadSlicedFile(slices, FileUploadOptions.defaults().name(name + ".csv").parallelism(4));
        double upload = Timer.since(t1);
        long t2 = System.nanoTime();
        client.writeTableAsync(created.tableId(), fileId, TableImportOptions.defaults().columns(CsvGenerator.COLUMNS));
        double job = Timer.since(t2);
        client.deleteFile(fileId);
        Files.delete(header);
        Log.info("  sliced load: header table %.2f s, slices upload %.2f s, job %.2f s (%.2f s in all)", created.total(),
                upload, job, Timer.since(t0));
        return new Load(created.uploadSeconds() + upload, created.jobSeconds() + job, created.tableId());
    }

    /** Rows of a table, as the table detail says. */
    static long rows(StorageClient client, String tableId) {
        return client.getTable(tableId).path("rowsCount").asLong();
    }

    static void expectRows(StorageClient client, String tableId, long expected) {
        long rows = rows(client, tableId);
        if (rows != expected) {
            throw new IllegalStateException("Granary table " + tableId + " has " + rows + " rows, expected " + expected);
        }
    }
}
