package io.granary.client;

import static io.granary.client.HttpTransport.seg;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import software.amazon.awssdk.core.exception.SdkException;

/**
 * A client of a Keboola-compatible Storage API (Granary or Keboola Connection) and its File Storage on S3.
 *
 * <p>Resources are returned as Jackson {@link JsonNode}s exactly as the API sends them (like Keboola's
 * Python client returns dicts). What a caller may rely on:
 * <ul>
 * <li>An HTTP error becomes a {@link StorageApiException} with the server's status, {@code code},
 * {@code error} message and {@code exceptionId}. 5xx answers (except 501) and connection failures are retried
 * with exponential backoff, at most {@link Builder#maxAttempts} tries in all (default 5), honouring
 * {@code Retry-After} on 503; 4xx answers are never retried. A connection failure that outlasts the retries is
 * an {@link UncheckedIOException}.</li>
 * <li>Async operations ({@code …Async}) submit a job and return it finished ({@code status: success}); a job
 * that ends in {@code error} raises {@link StorageApiException} with the job's {@code error.code},
 * {@code error.message}, {@code error.exceptionId} and the whole job in {@link StorageApiException#job()}.</li>
 * <li>Transfers stream through fixed-size buffers and temp files; temp files are removed on success and on
 * failure. S3 failures surface as the AWS SDK's {@link SdkException}; local file problems as {@link IOException}.</li>
 * <li>A server whose object store mints no S3 credentials (Granary's {@code presigned} mode) hands out presigned
 * URLs instead: a file is then uploaded with one plain HTTP PUT to {@code uploadParams.url} and read with a GET of
 * its {@code url}; failures of those are {@link IOException}s. Sliced files cannot be moved that way.</li>
 * <li>The client is thread-safe; {@link #close()} releases its HTTP resources.</li>
 * </ul>
 */
public final class StorageClient implements AutoCloseable {

    private final HttpTransport http;
    private final Jobs jobs;
    private final Uploads uploads;
    private final Downloads downloads;
    private final Workspaces workspaces;
    private final URI s3EndpointOverride;
    private final boolean onePutOnThisMachine;
    private volatile S3Transfers s3;

    private StorageClient(Builder b) {
        this.http = new HttpTransport(b.host, b.token, b.runId, b.maxAttempts);
        this.jobs = new Jobs(http);
        this.s3EndpointOverride = b.s3Endpoint;
        this.onePutOnThisMachine = b.onePutOnThisMachine;
        this.uploads = new Uploads(http, this::transfers, this::deleteFile);
        this.downloads = new Downloads(http, this::transfers);
        this.workspaces = new Workspaces(http, jobs);
    }

    /** A client of {@code host} (e.g. {@code https://connection.keboola.com} or {@code http://localhost:8080}). */
    public static StorageClient create(String host, String token) {
        return builder(host, token).build();
    }

    public static Builder builder(String host, String token) {
        return new Builder(host, token);
    }

    /**
     * A client configured from the environment: host from {@code KBC_STORAGE_API_HOST}, else {@code KBC_URL};
     * token from {@code KBC_STORAGE_API_TOKEN}, else {@code KBC_TOKEN}; run id from {@code KBC_RUNID} when set.
     *
     * @throws IllegalStateException when host or token is missing
     */
    public static StorageClient fromEnvironment() {
        return fromEnvironment(System.getenv());
    }

    static StorageClient fromEnvironment(Map<String, String> env) {
        String host = firstNonBlank(env.get("KBC_STORAGE_API_HOST"), env.get("KBC_URL"));
        String token = firstNonBlank(env.get("KBC_STORAGE_API_TOKEN"), env.get("KBC_TOKEN"));
        if (host == null || token == null) {
            throw new IllegalStateException("Set KBC_STORAGE_API_HOST (or KBC_URL) and KBC_STORAGE_API_TOKEN (or KBC_TOKEN)");
        }
        return builder(host, token).runId(firstNonBlank(env.get("KBC_RUNID"))).build();
    }

    /** Configures a {@link StorageClient}. */
    public static final class Builder {
        private final String host;
        private final String token;
        private URI s3Endpoint;
        private String runId;
        private int maxAttempts = 5;
        private boolean onePutOnThisMachine = true;

        private Builder(String host, String token) {
            this.host = Objects.requireNonNull(host, "host");
            this.token = Objects.requireNonNull(token, "token");
        }

        /**
         * The S3 endpoint for File Storage transfers. Default: the {@code s3} service of the API index
         * ({@code GET /v2/storage}), else env {@code AWS_ENDPOINT_URL_S3}, else {@code AWS_ENDPOINT_URL}, else AWS.
         */
        public Builder s3Endpoint(URI s3Endpoint) {
            this.s3Endpoint = s3Endpoint;
            return this;
        }

        /** Sent as {@code X-KBC-RunId}; the server stores it on jobs and files this client creates. */
        public Builder runId(String runId) {
            this.runId = runId;
            return this;
        }

        /** Tries per API call, first one included (default 5). */
        public Builder maxAttempts(int maxAttempts) {
            if (maxAttempts < 1) {
                throw new IllegalArgumentException("maxAttempts must be at least 1");
            }
            this.maxAttempts = maxAttempts;
            return this;
        }

        /** Tests: upload large files in parts even to an endpoint on this machine. */
        Builder multipartOnThisMachine() {
            this.onePutOnThisMachine = false;
            return this;
        }

        public StorageClient build() {
            return new StorageClient(this);
        }
    }

    /** The API host this client talks to, without a trailing slash. */
    public String host() {
        return http.host();
    }

    /** The project's workspaces: create, list, load, unload into tables, delete. */
    public Workspaces workspaces() {
        return workspaces;
    }

    // ------------------------------------------------------------------ tokens, buckets, tables, jobs

    /** {@code GET /v2/storage/tokens/verify}: the caller's token with its {@code owner} (project). */
    public JsonNode verifyToken() {
        return http.get("/v2/storage/tokens/verify", Map.of());
    }

    /** {@code GET /v2/storage}: the API index (no token needed). */
    public JsonNode index() {
        return http.get("/v2/storage", Map.of());
    }

    public JsonNode listBuckets() {
        return http.get("/v2/storage/buckets", Map.of());
    }

    /** Creates bucket {@code stage.c-name}; returns it. {@code description} may be null. */
    public JsonNode createBucket(String name, String stage, String description) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("name", name);
        body.put("stage", stage);
        if (description != null) {
            body.put("description", description);
        }
        return http.send("POST", "/v2/storage/buckets", Map.of(), body).body();
    }

    public JsonNode getBucket(String bucketId) {
        return http.get("/v2/storage/buckets/" + seg(bucketId), Map.of());
    }

    /** Drops a bucket (with {@code force}, its tables too) as an async job, waiting for it to finish. */
    public void dropBucket(String bucketId, boolean force) {
        HttpTransport.Response r = http.send("DELETE", "/v2/storage/buckets/" + seg(bucketId),
                Map.of("force", force, "async", true), null);
        jobs.waitIfJob(r);
    }

    /** Tables of one bucket, or of the whole project when {@code bucketId} is null (with their columns). */
    public JsonNode listTables(String bucketId) {
        return bucketId == null ? http.get("/v2/storage/tables", Map.of("include", "columns"))
                : http.get("/v2/storage/buckets/" + seg(bucketId) + "/tables", Map.of("include", "columns"));
    }

    public JsonNode getTable(String tableId) {
        return http.get("/v2/storage/tables/" + seg(tableId), Map.of());
    }

    /**
     * Deletes the rows matching {@code filters} ({@code DELETE /tables/{id}/rows} with a JSON body of
     * {@code whereColumn/whereValues/whereOperator}, {@code whereFilters}, {@code changedSince/Until}); returns the
     * finished job.
     */
    public JsonNode deleteTableRows(String tableId, Map<String, Object> filters) {
        HttpTransport.Response r = http.send("DELETE", "/v2/storage/tables/" + seg(tableId) + "/rows", Map.of(), filters);
        return jobs.waitIfJob(r);
    }

    /**
     * Sets table metadata ({@code POST /tables/{id}/metadata}): {@code metadata} as {@code [{key, value}]},
     * {@code columnsMetadata} as {@code {column: [{key, value}]}}, all under {@code provider}.
     */
    public JsonNode setTableMetadata(String tableId, String provider, List<Map<String, String>> metadata,
            Map<String, List<Map<String, String>>> columnsMetadata) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("provider", provider);
        body.put("metadata", metadata);
        body.put("columnsMetadata", columnsMetadata);
        return http.send("POST", "/v2/storage/tables/" + seg(tableId) + "/metadata", Map.of(), body).body();
    }

    /** Sets a table's primary key ({@code POST /tables/{id}/primary-key}); returns the finished job. */
    public JsonNode createTablePrimaryKey(String tableId, List<String> columns) {
        return jobs.submitAndWait("/v2/storage/tables/" + seg(tableId) + "/primary-key", Map.of("columns", columns));
    }

    /** Removes a table's primary key ({@code DELETE /tables/{id}/primary-key}); returns the finished job. */
    public JsonNode removeTablePrimaryKey(String tableId) {
        return jobs.waitIfJob(http.send("DELETE", "/v2/storage/tables/" + seg(tableId) + "/primary-key", Map.of(), null));
    }

    /** Up to {@code limit} rows ({@code data-preview?format=json}): {@code {columns, rows: [[{columnName, value}]]}}. */
    public JsonNode previewTable(String tableId, int limit) {
        return http.get("/v2/storage/tables/" + seg(tableId) + "/data-preview", Map.of("limit", limit, "format", "json"));
    }

    /** Drops a table as an async job (as PHP's client does), waiting for it to finish. */
    public void dropTable(String tableId) {
        HttpTransport.Response r = http.send("DELETE", "/v2/storage/tables/" + seg(tableId), Map.of("async", true), null);
        jobs.waitIfJob(r);
    }

    /** {@code GET /v2/storage/jobs}, newest first. */
    public JsonNode listJobs(int limit, int offset) {
        return http.get("/v2/storage/jobs", Map.of("limit", limit, "offset", offset));
    }

    public JsonNode getJob(long jobId) {
        return http.get("/v2/storage/jobs/" + jobId, Map.of());
    }

    /** {@link #waitForJob(long, Duration)} without a time limit (as Keboola's clients). */
    public JsonNode waitForJob(long jobId) {
        return waitForJob(jobId, null);
    }

    /**
     * Polls a job until it finishes and returns it ({@code status: success}). Each poll asks the server to hold the
     * answer until the job is done ({@code ?wait=N}, N = 1, 2, 4, 8, 16, 20, 20… s); a server that answers sooner
     * without the job being done (one that ignores {@code wait}) is polled again only after N seconds.
     *
     * @param timeout null = wait as long as it takes
     * @throws StorageApiException the job's error when it ended in {@code error}; or, when {@code timeout} passed,
     *         code {@code client.jobWaitTimeout} (a client-side code, status 0) with the last job state
     */
    public JsonNode waitForJob(long jobId, Duration timeout) {
        return jobs.waitFor(jobId, timeout);
    }

    /**
     * Creates table {@code bucketId.name} from an uploaded, non-sliced file with a header
     * ({@code POST /buckets/{id}/tables-async}); returns the finished job ({@code results.id} = table id).
     */
    public JsonNode createTableAsync(String bucketId, String name, long dataFileId, TableCreateOptions options) {
        TableCreateOptions o = options == null ? TableCreateOptions.defaults() : options;
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("name", name);
        body.put("dataFileId", dataFileId);
        body.put("delimiter", o.delimiter());
        body.put("enclosure", o.enclosure());
        if (!o.primaryKey().isEmpty()) {
            body.put("primaryKey", String.join(",", o.primaryKey()));
        }
        return jobs.submitAndWait("/v2/storage/buckets/" + seg(bucketId) + "/tables-async", body);
    }

    /**
     * Loads an uploaded file into a table ({@code POST /tables/{id}/import-async}); returns the finished job
     * ({@code results.importedColumns}, {@code totalRowsCount}…). A sliced file needs {@code columns}.
     */
    public JsonNode writeTableAsync(String tableId, long dataFileId, TableImportOptions options) {
        TableImportOptions o = options == null ? TableImportOptions.defaults() : options;
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("dataFileId", dataFileId);
        body.put("incremental", o.incremental());
        body.put("delimiter", o.delimiter());
        body.put("enclosure", o.enclosure());
        if (o.columns() != null) {
            body.put("columns", o.columns());
        }
        if (o.withoutHeaders()) {
            body.put("withoutHeaders", true);
        }
        return jobs.submitAndWait("/v2/storage/tables/" + seg(tableId) + "/import-async", body);
    }

    /**
     * Exports a table to a new (sliced, header-less) file ({@code POST /tables/{id}/export-async}); returns the
     * finished job, whose {@code results.file.id} is the file.
     */
    public JsonNode exportTableAsync(String tableId, TableExportOptions options) {
        TableExportOptions o = options == null ? TableExportOptions.defaults() : options;
        Map<String, Object> body = new LinkedHashMap<>();
        if (o.columns() != null) {
            body.put("columns", o.columns());
        }
        if (o.whereColumn() != null) {
            body.put("whereColumn", o.whereColumn());
            body.put("whereValues", o.whereValues());
            body.put("whereOperator", o.whereOperator() == null ? "eq" : o.whereOperator());
        }
        if (o.changedSince() != null) {
            body.put("changedSince", o.changedSince());
        }
        if (o.limit() != null) {
            body.put("limit", o.limit());
        }
        body.put("gzip", o.gzip());
        if (o.fileType() != null) {
            body.put("fileType", o.fileType());
        }
        return jobs.submitAndWait("/v2/storage/tables/" + seg(tableId) + "/export-async", body);
    }

    /** {@link #createTable(String, String, Path, TableCreateOptions, FileUploadOptions)} with a plain upload. */
    public String createTable(String bucketId, String name, Path csv, TableCreateOptions options) throws IOException {
        return createTable(bucketId, name, csv, options, FileUploadOptions.defaults());
    }

    /**
     * Uploads a CSV with a header and creates a table from it; returns the table id. With a sliced upload (sliced
     * files have no header, and a table cannot be created from one) the table is first created from a small
     * file holding only the header, then the slices are loaded with the header as {@code columns}.
     */
    public String createTable(String bucketId, String name, Path csv, TableCreateOptions options, FileUploadOptions upload)
            throws IOException {
        FileUploadOptions up = upload == null ? FileUploadOptions.defaults() : upload;
        TableCreateOptions o = options == null ? TableCreateOptions.defaults() : options;
        if (!up.sliced()) {
            long fileId = uploadFile(csv, up);
            return createTableAsync(bucketId, name, fileId, o).path("results").path("id").asText();
        }
        List<String> header = CsvFiles.readHeader(csv, up.delimiter(), up.enclosure());
        Path headerFile = Files.createTempFile("granary-header-", ".csv");
        String tableId;
        try {
            Files.writeString(headerFile, CsvFiles.quoteRecord(header));
            long headerFileId = uploadFile(headerFile, FileUploadOptions.defaults().name(name + ".header.csv")
                    .tags(up.tags()));
            tableId = createTableAsync(bucketId, name, headerFileId, TableCreateOptions.defaults()
                    .primaryKey(o.primaryKey())).path("results").path("id").asText();
        } finally {
            Files.deleteIfExists(headerFile);
        }
        writeTable(tableId, csv, TableImportOptions.defaults().delimiter(o.delimiter()).enclosure(o.enclosure()), up);
        return tableId;
    }

    /** {@link #writeTable(String, Path, TableImportOptions, FileUploadOptions)} with a plain upload. */
    public JsonNode writeTable(String tableId, Path csv, TableImportOptions options) throws IOException {
        return writeTable(tableId, csv, options, FileUploadOptions.defaults());
    }

    /**
     * Uploads a CSV with a header and loads it into a table; returns the finished import job. With a sliced upload
     * and no {@code columns} given, the file's header is sent as {@code columns}.
     */
    public JsonNode writeTable(String tableId, Path csv, TableImportOptions options, FileUploadOptions upload)
            throws IOException {
        FileUploadOptions up = upload == null ? FileUploadOptions.defaults() : upload;
        TableImportOptions o = options == null ? TableImportOptions.defaults() : options.copy();
        if (up.sliced() && o.columns() == null) {
            o.columns(CsvFiles.readHeader(csv, up.delimiter(), up.enclosure()));
        }
        long fileId = uploadFile(csv, up);
        return writeTableAsync(tableId, fileId, o);
    }

    /**
     * Exports a table into {@code destination} as one CSV: a header line (the exported columns, every name in
     * {@code "…"}) followed by all slices in order, gzip slices decompressed. A Parquet export is not merged (as
     * Keboola's {@code TableExporter}): {@code destination} becomes a directory holding its slices, each a complete
     * Parquet file named as in the manifest. The destination is replaced only when the whole export has been
     * written.
     *
     * @return the finished export job
     */
    public JsonNode exportTable(String tableId, Path destination, TableExportOptions options, DownloadOptions download)
            throws IOException {
        TableExportOptions o = options == null ? TableExportOptions.defaults() : options;
        DownloadOptions d = download == null ? DownloadOptions.defaults() : download;
        if (o.parquet()) {
            JsonNode job = exportTableAsync(tableId, o);
            downloads.downloadDirectory(job.path("results").path("file").path("id").asLong(),
                    getFile(job.path("results").path("file").path("id").asLong(), true), destination, d);
            return job;
        }
        List<String> columns = o.columns();
        if (columns == null) {
            columns = new ArrayList<>();
            for (JsonNode c : getTable(tableId).path("columns")) {
                columns.add(c.asText());
            }
        }
        JsonNode job = exportTableAsync(tableId, o);
        long fileId = job.path("results").path("file").path("id").asLong();
        byte[] header = CsvFiles.quoteRecord(columns).getBytes(StandardCharsets.UTF_8);
        downloads.download(getFile(fileId, true), destination, header, true, d);
        return job;
    }

    public JsonNode exportTable(String tableId, Path destination, TableExportOptions options) throws IOException {
        return exportTable(tableId, destination, options, DownloadOptions.defaults());
    }

    // ------------------------------------------------------------------ files

    /** {@code GET /files/{id}}; with {@code federationToken} it carries download {@code credentials} and {@code s3Path}. */
    public JsonNode getFile(long fileId, boolean federationToken) {
        return http.get("/v2/storage/files/" + fileId, federationToken ? Map.of("federationToken", true) : Map.of());
    }

    /** Files having any of {@code tags} (all files when null/empty), newest first. */
    public JsonNode listFiles(List<String> tags, int limit, int offset) {
        Map<String, Object> q = new LinkedHashMap<>();
        if (tags != null && !tags.isEmpty()) {
            q.put("tags[]", tags);
        }
        q.put("limit", limit);
        q.put("offset", offset);
        return http.get("/v2/storage/files", q);
    }

    /** Adds a tag to a file ({@code POST /files/{id}/tags}). */
    public void addFileTag(long fileId, String tag) {
        http.send("POST", "/v2/storage/files/" + fileId + "/tags", Map.of(), Map.of("tag", tag));
    }

    /** Deletes a file and its objects ({@code DELETE /files/{id}}). */
    public void deleteFile(long fileId) {
        http.send("DELETE", "/v2/storage/files/" + fileId, Map.of(), null);
    }

    /** Uploads a file with default options; returns its id. */
    public long uploadFile(Path file) throws IOException {
        return uploadFile(file, FileUploadOptions.defaults());
    }

    /**
     * Uploads a local file to File Storage and returns the new file's id.
     *
     * <p>Not sliced: {@code POST /files/prepare} then one PutObject, or a multipart upload with parts in parallel
     * for files over 32 MiB; with {@code compress} the file is gzipped to a temp file first and named
     * {@code name.gz}. Sliced: the CSV is cut on record boundaries (quoted newlines respected) into header-less
     * slices of about {@code sliceSize}, each (optionally gzipped) streamed to a temp file and uploaded in parallel
     * under {@code key + sliceName}; then the manifest goes to {@code key + "manifest"}.
     *
     * <p>On any failure the multipart upload is aborted and the file record deleted (with whatever was uploaded),
     * so no half-registered file remains; temp files are always removed.
     */
    public long uploadFile(Path file, FileUploadOptions options) throws IOException {
        return uploads.uploadFile(file, options);
    }

    /**
     * Uploads slices that already exist as local files (for example a table exported by another tool) as one sliced
     * file, as PHP's {@code uploadSlicedFile} does; returns the file's id. Each slice is uploaded unchanged (gzipped
     * first with {@code compress}, unless it already is) under {@code key + its file name}, {@code parallelism} at a
     * time, then the manifest lists them in the order given. Slices carry no header: load them with {@code columns}.
     * The file is named {@code options.name()}, default the first slice's name. {@code sliced} and {@code sliceSize}
     * are ignored. On any failure the file record is deleted with whatever was uploaded.
     *
     * @throws IllegalArgumentException no slices, or two slices with the same file name (they would overwrite)
     */
    public long uploadSlicedFile(List<Path> slices, FileUploadOptions options) throws IOException {
        return uploads.uploadSlicedFile(slices, options);
    }

    /** {@link #downloadFile(long, Path, DownloadOptions)} with default options. */
    public void downloadFile(long fileId, Path destination) throws IOException {
        downloadFile(fileId, destination, DownloadOptions.defaults());
    }

    /**
     * Downloads a file into {@code destination}, which is replaced only once the whole content is written. A sliced
     * file's manifest is read through S3 ({@code s3Path.key + "manifest"}), its slices are downloaded in parallel and
     * concatenated in manifest order. A non-sliced file over 32 MiB is fetched in parallel byte ranges. With
     * {@code decompress}, gzip objects are gunzipped.
     */
    public void downloadFile(long fileId, Path destination, DownloadOptions options) throws IOException {
        DownloadOptions o = options == null ? DownloadOptions.defaults() : options;
        downloads.download(getFile(fileId, true), destination, null, o.decompress(), o);
    }

    /**
     * Downloads each slice of a sliced file into {@code directory} under its own name (the basename of its manifest
     * entry), in parallel and unchanged (no decompression); returns the slice paths in manifest order.
     */
    public List<Path> downloadSlices(long fileId, Path directory, DownloadOptions options) throws IOException {
        DownloadOptions o = options == null ? DownloadOptions.defaults() : options;
        return downloads.downloadSlices(fileId, getFile(fileId, true), directory, o);
    }

    // ------------------------------------------------------------------ S3 endpoint

    private S3Transfers transfers() {
        S3Transfers t = s3;
        if (t == null) {
            synchronized (this) {
                if (s3 == null) {
                    s3 = new S3Transfers(resolveS3Endpoint(), onePutOnThisMachine);
                }
                t = s3;
            }
        }
        return t;
    }

    /** The S3 endpoint transfers use; null means the AWS SDK's own resolution (real AWS). */
    public URI s3Endpoint() {
        return resolveS3Endpoint();
    }

    private URI resolveS3Endpoint() {
        if (s3EndpointOverride != null) {
            return s3EndpointOverride;
        }
        try {
            for (JsonNode service : index().path("services")) {
                if ("s3".equals(service.path("id").asText()) && !service.path("url").asText().isBlank()) {
                    return URI.create(service.path("url").asText());
                }
            }
        } catch (StorageApiException e) {
            // an index without services is not fatal: fall back to the environment
        }
        String env = firstNonBlank(System.getenv("AWS_ENDPOINT_URL_S3"), System.getenv("AWS_ENDPOINT_URL"));
        return env == null ? null : URI.create(env);
    }

    private static String firstNonBlank(String... values) {
        for (String v : values) {
            if (v != null && !v.isBlank()) {
                return v.trim();
            }
        }
        return null;
    }

    @Override
    public void close() {
        S3Transfers t = s3;
        if (t != null) {
            t.close();
        }
        // java.net.http.HttpClient has no close() before Java 21: its idle connections time out on their own
    }
}
