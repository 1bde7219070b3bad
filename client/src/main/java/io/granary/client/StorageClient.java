package io.granary.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.GZIPOutputStream;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;

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

    static final ObjectMapper MAPPER = new ObjectMapper();
    private static final Duration REQUEST_TIMEOUT = Duration.ofMinutes(2);
    private static final int[] JOB_WAITS = {1, 2, 4, 8, 16, 20};

    private final String host;
    private final String token;
    private final String runId;
    private final int maxAttempts;
    private final HttpClient http;
    private final URI s3EndpointOverride;
    private volatile S3Transfers s3;

    private StorageClient(Builder b) {
        this.host = normalizeHost(b.host);
        this.token = Objects.requireNonNull(b.token, "token");
        this.runId = b.runId;
        this.maxAttempts = b.maxAttempts;
        this.s3EndpointOverride = b.s3Endpoint;
        this.http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(10))
                .followRedirects(HttpClient.Redirect.NORMAL)
                .build();
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

        public StorageClient build() {
            return new StorageClient(this);
        }
    }

    /** The API host this client talks to, without a trailing slash. */
    public String host() {
        return host;
    }

    // ------------------------------------------------------------------ tokens, buckets, tables, jobs

    /** {@code GET /v2/storage/tokens/verify}: the caller's token with its {@code owner} (project). */
    public JsonNode verifyToken() {
        return get("/v2/storage/tokens/verify", Map.of());
    }

    /** {@code GET /v2/storage}: the API index (no token needed). */
    public JsonNode index() {
        return get("/v2/storage", Map.of());
    }

    public JsonNode listBuckets() {
        return get("/v2/storage/buckets", Map.of());
    }

    /** Creates bucket {@code stage.c-name}; returns it. {@code description} may be null. */
    public JsonNode createBucket(String name, String stage, String description) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("name", name);
        body.put("stage", stage);
        if (description != null) {
            body.put("description", description);
        }
        return send("POST", "/v2/storage/buckets", Map.of(), body, REQUEST_TIMEOUT).body;
    }

    public JsonNode getBucket(String bucketId) {
        return get("/v2/storage/buckets/" + seg(bucketId), Map.of());
    }

    /** Drops a bucket (with {@code force}, its tables too) as an async job, waiting for it to finish. */
    public void dropBucket(String bucketId, boolean force) {
        Response r = send("DELETE", "/v2/storage/buckets/" + seg(bucketId), Map.of("force", force, "async", true), null,
                REQUEST_TIMEOUT);
        waitIfJob(r);
    }

    /** Tables of one bucket, or of the whole project when {@code bucketId} is null (with their columns). */
    public JsonNode listTables(String bucketId) {
        return bucketId == null ? get("/v2/storage/tables", Map.of("include", "columns"))
                : get("/v2/storage/buckets/" + seg(bucketId) + "/tables", Map.of("include", "columns"));
    }

    public JsonNode getTable(String tableId) {
        return get("/v2/storage/tables/" + seg(tableId), Map.of());
    }

    /**
     * Deletes the rows matching {@code filters} ({@code DELETE /tables/{id}/rows} with a JSON body of
     * {@code whereColumn/whereValues/whereOperator}, {@code whereFilters}, {@code changedSince/Until}); returns the
     * finished job.
     */
    public JsonNode deleteTableRows(String tableId, Map<String, Object> filters) {
        Response r = send("DELETE", "/v2/storage/tables/" + seg(tableId) + "/rows", Map.of(), filters, REQUEST_TIMEOUT);
        return waitIfJob(r);
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
        return send("POST", "/v2/storage/tables/" + seg(tableId) + "/metadata", Map.of(), body, REQUEST_TIMEOUT).body;
    }

    /** Sets a table's primary key ({@code POST /tables/{id}/primary-key}); returns the finished job. */
    public JsonNode createTablePrimaryKey(String tableId, List<String> columns) {
        return submitAndWait("/v2/storage/tables/" + seg(tableId) + "/primary-key", Map.of("columns", columns));
    }

    /** Removes a table's primary key ({@code DELETE /tables/{id}/primary-key}); returns the finished job. */
    public JsonNode removeTablePrimaryKey(String tableId) {
        return waitIfJob(send("DELETE", "/v2/storage/tables/" + seg(tableId) + "/primary-key", Map.of(), null,
                REQUEST_TIMEOUT));
    }

    /** Up to {@code limit} rows ({@code data-preview?format=json}): {@code {columns, rows: [[{columnName, value}]]}}. */
    public JsonNode previewTable(String tableId, int limit) {
        return get("/v2/storage/tables/" + seg(tableId) + "/data-preview", Map.of("limit", limit, "format", "json"));
    }

    /** Drops a table as an async job (as PHP's client does), waiting for it to finish. */
    public void dropTable(String tableId) {
        Response r = send("DELETE", "/v2/storage/tables/" + seg(tableId), Map.of("async", true), null, REQUEST_TIMEOUT);
        waitIfJob(r);
    }

    /** {@code GET /v2/storage/jobs}, newest first. */
    public JsonNode listJobs(int limit, int offset) {
        return get("/v2/storage/jobs", Map.of("limit", limit, "offset", offset));
    }

    public JsonNode getJob(long jobId) {
        return get("/v2/storage/jobs/" + jobId, Map.of());
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
        long deadline = timeout == null ? Long.MAX_VALUE : System.nanoTime() + timeout.toNanos();
        for (int i = 0; ; i++) {
            long waitSeconds = JOB_WAITS[Math.min(i, JOB_WAITS.length - 1)];
            if (timeout != null) {
                long leftMs = Math.max(0, (deadline - System.nanoTime()) / 1_000_000);
                waitSeconds = Math.min(waitSeconds, Math.max(0, leftMs / 1000));
            }
            long start = System.nanoTime();
            JsonNode job = send("GET", "/v2/storage/jobs/" + jobId, Map.of("wait", waitSeconds), null,
                    Duration.ofSeconds(waitSeconds + 60)).body;
            String status = job.path("status").asText();
            if ("success".equals(status)) {
                return job;
            }
            if ("error".equals(status)) {
                throw jobError(job);
            }
            if (System.nanoTime() >= deadline) {
                throw new StorageApiException(0, "client.jobWaitTimeout", "Job " + jobId + " did not finish within "
                        + timeout + " (status " + status + ")", null, null, job, null);
            }
            long elapsedMs = (System.nanoTime() - start) / 1_000_000;
            sleep(Math.min(waitSeconds * 1000 - elapsedMs, Math.max(0, (deadline - System.nanoTime()) / 1_000_000)));
        }
    }

    static StorageApiException jobError(JsonNode job) {
        JsonNode error = job.path("error");
        String message = error.hasNonNull("message") ? error.get("message").asText() : "Job " + job.path("id").asText() + " failed";
        return new StorageApiException(0, textOrNull(error, "code"), message, textOrNull(error, "exceptionId"), null, job,
                null);
    }

    private JsonNode waitIfJob(Response r) {
        if (r.status == 202 && r.body != null && r.body.has("id")) {
            return waitForJob(r.body.get("id").asLong());
        }
        return r.body;
    }

    private JsonNode submitAndWait(String path, Map<String, Object> body) {
        Response r = send("POST", path, Map.of(), body, REQUEST_TIMEOUT);
        if (r.status != 202 || r.body == null || !r.body.has("id")) {
            throw new StorageApiException(r.status, null, "Expected a 202 job from POST " + path + ", got " + r.status, null,
                    r.body, null, null);
        }
        return waitForJob(r.body.get("id").asLong());
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
        return submitAndWait("/v2/storage/buckets/" + seg(bucketId) + "/tables-async", body);
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
        return submitAndWait("/v2/storage/tables/" + seg(tableId) + "/import-async", body);
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
        return submitAndWait("/v2/storage/tables/" + seg(tableId) + "/export-async", body);
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
     * {@code "…"}) followed by all slices in order, gzip slices decompressed. The destination is replaced only
     * when the whole export has been written.
     *
     * @return the finished export job
     */
    public JsonNode exportTable(String tableId, Path destination, TableExportOptions options, DownloadOptions download)
            throws IOException {
        TableExportOptions o = options == null ? TableExportOptions.defaults() : options;
        DownloadOptions d = download == null ? DownloadOptions.defaults() : download;
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
        download(getFile(fileId, true), destination, header, true, d);
        return job;
    }

    public JsonNode exportTable(String tableId, Path destination, TableExportOptions options) throws IOException {
        return exportTable(tableId, destination, options, DownloadOptions.defaults());
    }

    // ------------------------------------------------------------------ files

    /** {@code GET /files/{id}}; with {@code federationToken} it carries download {@code credentials} and {@code s3Path}. */
    public JsonNode getFile(long fileId, boolean federationToken) {
        return get("/v2/storage/files/" + fileId, federationToken ? Map.of("federationToken", true) : Map.of());
    }

    /** Files having any of {@code tags} (all files when null/empty), newest first. */
    public JsonNode listFiles(List<String> tags, int limit, int offset) {
        Map<String, Object> q = new LinkedHashMap<>();
        if (tags != null && !tags.isEmpty()) {
            q.put("tags[]", tags);
        }
        q.put("limit", limit);
        q.put("offset", offset);
        return get("/v2/storage/files", q);
    }

    /** Adds a tag to a file ({@code POST /files/{id}/tags}). */
    public void addFileTag(long fileId, String tag) {
        send("POST", "/v2/storage/files/" + fileId + "/tags", Map.of(), Map.of("tag", tag), REQUEST_TIMEOUT);
    }

    /** Deletes a file and its objects ({@code DELETE /files/{id}}). */
    public void deleteFile(long fileId) {
        send("DELETE", "/v2/storage/files/" + fileId, Map.of(), null, REQUEST_TIMEOUT);
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
        FileUploadOptions o = options == null ? FileUploadOptions.defaults() : options;
        if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
            throw new java.nio.file.NoSuchFileException(file.toString(), null, "not a readable regular file");
        }
        String name = o.name() != null ? o.name()
                : file.getFileName().toString() + (o.compress() && !o.sliced() && !isGzip(file) ? ".gz" : "");
        long sourceSize = Files.size(file);
        JsonNode prepared = prepare(name, o, o.sliced(), !o.sliced() && !o.compress() ? sourceSize : null);
        long id = prepared.path("id").asLong();
        JsonNode params = prepared.path("uploadParams");
        if (!hasCredentials(params) && params.hasNonNull("url")) {
            uploadPresigned(id, URI.create(params.get("url").asText()), file, o, sourceSize);
            return id;
        }
        String bucket = params.path("bucket").asText();
        String key = params.path("key").asText();
        S3Transfers.Upload state = new S3Transfers.Upload();
        S3Client s3client = null;
        try {
            s3client = transfers().client(params.get("credentials"), prepared.path("region").asText(null));
            if (o.sliced()) {
                uploadSliced(s3client, file, bucket, key, o, sourceSize);
            } else {
                uploadWhole(s3client, file, bucket, key, o, sourceSize, state);
            }
            return id;
        } catch (IOException | RuntimeException | Error e) {
            if (s3client != null) {
                S3Transfers.abort(s3client, bucket, key, state, e);
            }
            deleteAfterFailure(id, e);
            throw e;
        } finally {
            if (s3client != null) {
                s3client.close();
            }
        }
    }

    private JsonNode prepare(String name, FileUploadOptions o, boolean sliced, Long sizeBytes) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("name", name);
        body.put("isPermanent", o.isPermanent());
        body.put("isPublic", o.isPublic());
        body.put("isEncrypted", o.isEncrypted());
        body.put("notify", o.notifyOnUpload());
        body.put("isSliced", sliced);
        body.put("federationToken", true);
        if (sizeBytes != null) {
            body.put("sizeBytes", sizeBytes);
        }
        if (!o.tags().isEmpty()) {
            body.put("tags", o.tags());
        }
        return send("POST", "/v2/storage/files/prepare", Map.of(), body, REQUEST_TIMEOUT).body;
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
        FileUploadOptions o = options == null ? FileUploadOptions.defaults() : options;
        if (slices == null || slices.isEmpty()) {
            throw new IllegalArgumentException("A sliced file needs at least one slice.");
        }
        java.util.Set<String> names = new java.util.HashSet<>();
        long total = 0;
        for (Path slice : slices) {
            if (!Files.isRegularFile(slice) || !Files.isReadable(slice)) {
                throw new java.nio.file.NoSuchFileException(slice.toString(), null, "not a readable regular file");
            }
            if (!names.add(slice.getFileName().toString())) {
                throw new IllegalArgumentException("Two slices are named " + slice.getFileName()
                        + ": each slice is stored under its file name, so the names must differ.");
            }
            total += Files.size(slice);
        }
        long sourceSize = total;
        String name = o.name() != null ? o.name() : slices.get(0).getFileName().toString();
        JsonNode prepared = prepare(name, o, true, null);
        long id = prepared.path("id").asLong();
        JsonNode params = prepared.path("uploadParams");
        String bucket = params.path("bucket").asText();
        String key = params.path("key").asText();
        Path tempDir = null;
        ExecutorService pool = S3Transfers.pool(o.parallelism());
        try (S3Client s3client = sliceClient(id, prepared)) {
            Path work = tempDir = Files.createTempDirectory("granary-slices-");
            AtomicLong done = new AtomicLong();
            List<Future<String>> uploads = new ArrayList<>();
            for (Path slice : slices) {
                boolean gzip = o.compress() && !isGzip(slice);
                String sliceName = slice.getFileName() + (gzip ? ".gz" : "");
                uploads.add(pool.submit(() -> {
                    Path body = gzip ? gzip(slice, work) : slice;
                    try {
                        long size = Files.size(body);
                        s3client.putObject(b -> b.bucket(bucket).key(key + sliceName).contentLength(size),
                                RequestBody.fromContentProvider(() -> S3Transfers.open(body, 0, size), size,
                                        "application/octet-stream"));
                        o.progress().progress(done.addAndGet(Files.size(slice)), sourceSize);
                        return "s3://" + bucket + "/" + key + sliceName;
                    } finally {
                        if (gzip) {
                            Files.deleteIfExists(body);
                        }
                    }
                }));
            }
            putManifest(s3client, bucket, key, uploads);
            return id;
        } catch (IOException | RuntimeException | Error e) {
            deleteAfterFailure(id, e);
            throw e;
        } finally {
            S3Transfers.shutdown(pool);
            if (tempDir != null) {
                deleteTree(tempDir);
            }
        }
    }

    /** Removes the file record (and what was uploaded) after a failed upload, keeping the original failure. */
    private void deleteAfterFailure(long id, Throwable e) {
        try {
            deleteFile(id);
        } catch (RuntimeException cleanup) {
            e.addSuppressed(cleanup);
        }
    }

    private S3Client sliceClient(long id, JsonNode prepared) {
        JsonNode params = prepared.path("uploadParams");
        if (!hasCredentials(params)) {
            throw new IllegalStateException("File " + id + " was prepared as sliced, but the server handed out no S3 "
                    + "credentials (a presigned-only store): sliced uploads need credentials");
        }
        return transfers().client(params.get("credentials"), prepared.path("region").asText(null));
    }

    /** One plain PUT of the whole (optionally gzipped) file to a presigned URL; on failure the file record goes. */
    private void uploadPresigned(long id, URI url, Path file, FileUploadOptions o, long sourceSize) throws IOException {
        try {
            if (o.sliced()) {
                throw new IllegalStateException("File " + id + " was prepared as sliced, but the server handed out a "
                        + "presigned URL instead of S3 credentials: sliced uploads need credentials");
            }
            PresignedTransfers presigned = new PresignedTransfers(http, maxAttempts);
            uploadWhole(file, o, sourceSize, (body, progress, total, done) -> presigned.put(url, body, progress, total, done));
        } catch (IOException | RuntimeException | Error e) {
            deleteAfterFailure(id, e);
            throw e;
        }
    }

    /** Sends one whole local file (already compressed or not) somewhere. */
    private interface WholeUpload {
        void upload(Path body, ProgressListener progress, long progressTotal, AtomicLong done) throws IOException;
    }

    private void uploadWhole(S3Client s3client, Path file, String bucket, String key, FileUploadOptions o, long sourceSize,
            S3Transfers.Upload state) throws IOException {
        uploadWhole(file, o, sourceSize, (body, progress, total, done) ->
                transfers().upload(s3client, body, bucket, key, o.parallelism(), progress, 0, total, done, state));
    }

    private void uploadWhole(Path file, FileUploadOptions o, long sourceSize, WholeUpload upload) throws IOException {
        AtomicLong done = new AtomicLong();
        if (!o.compress() || isGzip(file)) {
            upload.upload(file, o.progress(), sourceSize, done);
            return;
        }
        Path gz = null;
        try {
            gz = gzip(file, Path.of(System.getProperty("java.io.tmpdir")));
            // progress counts source bytes: report the compressed upload scaled to the source size
            long gzSize = Files.size(gz);
            ProgressListener scaled = (d, t) -> o.progress().progress(gzSize == 0 ? sourceSize : d * sourceSize / gzSize,
                    sourceSize);
            upload.upload(gz, scaled, gzSize, done);
        } finally {
            if (gz != null) {
                Files.deleteIfExists(gz);
            }
        }
    }

    private void uploadSliced(S3Client s3client, Path file, String bucket, String key, FileUploadOptions o, long sourceSize)
            throws IOException {
        Path tempDir = Files.createTempDirectory("granary-slices-");
        ExecutorService pool = S3Transfers.pool(o.parallelism());
        // at most parallelism slices uploading plus as many waiting on disk: bounded temp space
        Semaphore inFlight = new Semaphore(o.parallelism() * 2);
        AtomicLong done = new AtomicLong();
        List<Future<String>> uploads = new ArrayList<>();
        // the slicer only cuts (fast, sequential); each worker gzips its own slice, so compression runs in parallel
        try (CsvSlicer slicer = new CsvSlicer(file, o.delimiter(), o.enclosure(), o.sliceSize(), false, tempDir)) {
            while (true) {
                acquire(inFlight);
                CsvSlicer.Slice slice;
                try {
                    slice = slicer.next();
                } catch (IOException | RuntimeException e) {
                    inFlight.release();
                    throw e;
                }
                if (slice == null) {
                    inFlight.release();
                    break;
                }
                failFast(uploads);
                String sliceName = String.format("part%05d.csv%s", slice.index(), o.compress() ? ".gz" : "");
                uploads.add(pool.submit(() -> {
                    Path upload = slice.file();
                    try {
                        if (o.compress()) {
                            upload = gzip(slice.file(), tempDir);
                            Files.delete(slice.file());
                        }
                        Path body = upload;
                        long size = Files.size(body);
                        s3client.putObject(b -> b.bucket(bucket).key(key + sliceName).contentLength(size),
                                RequestBody.fromContentProvider(() -> S3Transfers.open(body, 0, size), size,
                                        "application/octet-stream"));
                        o.progress().progress(done.addAndGet(slice.sourceBytes()), sourceSize);
                        return "s3://" + bucket + "/" + key + sliceName;
                    } finally {
                        Files.deleteIfExists(slice.file());
                        Files.deleteIfExists(upload);
                        inFlight.release();
                    }
                }));
            }
            putManifest(s3client, bucket, key, uploads);
        } finally {
            S3Transfers.shutdown(pool);
            deleteTree(tempDir);
        }
    }

    /** Waits for the slice uploads, then writes the manifest listing their URLs in upload order. */
    private static void putManifest(S3Client s3client, String bucket, String key, List<Future<String>> uploads)
            throws IOException {
        ObjectNode manifest = MAPPER.createObjectNode();
        ArrayNode entries = manifest.putArray("entries");
        for (Future<String> f : uploads) {
            entries.addObject().put("url", S3Transfers.await(f));
        }
        s3client.putObject(b -> b.bucket(bucket).key(key + "manifest").contentType("application/json"),
                RequestBody.fromBytes(MAPPER.writeValueAsBytes(manifest)));
    }

    /** Gzips {@code source} into a new temp file in {@code dir}, streaming. */
    private static Path gzip(Path source, Path dir) throws IOException {
        Path gz = Files.createTempFile(dir, "granary-upload-", ".gz");
        try (InputStream in = Files.newInputStream(source);
                OutputStream out = new GZIPOutputStream(new BufferedOutputStream(Files.newOutputStream(gz),
                        S3Transfers.COPY_BUFFER), S3Transfers.COPY_BUFFER)) {
            in.transferTo(out);
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(gz);
            throw e;
        }
        return gz;
    }

    private static void failFast(List<Future<String>> uploads) throws IOException {
        for (Future<String> f : uploads) {
            if (f.isDone()) {
                S3Transfers.await(f);
            }
        }
    }

    /** {@link #downloadFile(long, Path, DownloadOptions)} with default options. */
    public void downloadFile(long fileId, Path destination) throws IOException {
        downloadFile(fileId, destination, DownloadOptions.defaults());
    }

    /**
     * Downloads each slice of a sliced file into {@code directory} under its own name (the basename of its manifest
     * entry), in parallel and unchanged (no decompression); returns the slice paths in manifest order.
     */
    public List<Path> downloadSlices(long fileId, Path directory, DownloadOptions options) throws IOException {
        DownloadOptions o = options == null ? DownloadOptions.defaults() : options;
        JsonNode file = getFile(fileId, true);
        if (!file.path("isSliced").asBoolean(false)) {
            throw new IllegalArgumentException("File " + fileId + " is not sliced");
        }
        requireCredentialsForSlices(file);
        Files.createDirectories(directory);
        String bucket = file.path("s3Path").path("bucket").asText();
        String key = file.path("s3Path").path("key").asText();
        long total = file.path("sizeBytes").isNumber() ? file.path("sizeBytes").asLong() : -1;
        AtomicLong done = new AtomicLong();
        try (S3Client s3client = transfers().client(file.get("credentials"), file.path("region").asText(null))) {
            List<String[]> slices = manifestSlices(s3client, bucket, key);
            List<Path> targets = new ArrayList<>();
            for (String[] loc : slices) {
                String base = loc[1].substring(loc[1].lastIndexOf('/') + 1);
                Path target = directory.resolve(base).normalize();
                if (!target.getParent().equals(directory.normalize()) || base.isEmpty()) {
                    throw new IOException("Slice name \"" + base + "\" of file " + fileId + " is not a plain file name");
                }
                targets.add(target);
            }
            ExecutorService pool = S3Transfers.pool(o.parallelism());
            try {
                List<Future<Path>> futures = fetchSlices(s3client, pool, slices, targets, o, total, done);
                List<Path> paths = new ArrayList<>();
                for (Future<Path> f : futures) {
                    paths.add(S3Transfers.await(f));
                }
                return paths;
            } finally {
                S3Transfers.shutdown(pool);
            }
        }
    }

    /**
     * Downloads a file into {@code destination}, which is replaced only once the whole content is written. A sliced
     * file's manifest is read through S3 ({@code s3Path.key + "manifest"}), its slices are downloaded in parallel and
     * concatenated in manifest order. A non-sliced file over 32 MiB is fetched in parallel byte ranges. With
     * {@code decompress}, gzip objects are gunzipped.
     */
    public void downloadFile(long fileId, Path destination, DownloadOptions options) throws IOException {
        download(getFile(fileId, true), destination, null, false, options == null ? DownloadOptions.defaults() : options);
    }

    private void download(JsonNode file, Path destination, byte[] header, boolean forceDecompress, DownloadOptions o)
            throws IOException {
        boolean decompress = forceDecompress || o.decompress();
        Path dir = destination.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path work = Files.createTempDirectory(dir, ".granary-download-");
        String bucket = file.path("s3Path").path("bucket").asText();
        String key = file.path("s3Path").path("key").asText();
        long total = file.path("sizeBytes").isNumber() ? file.path("sizeBytes").asLong() : -1;
        AtomicLong done = new AtomicLong();
        boolean presigned = !hasCredentials(file);
        // no credentials: the server's store hands out presigned URLs only, and the file's url is the way to read it
        try (S3Client s3client = presigned ? null
                : transfers().client(file.get("credentials"), file.path("region").asText(null))) {
            Path merged = work.resolve("merged");
            if (file.path("isSliced").asBoolean(false)) {
                requireCredentialsForSlices(file);
                downloadSliced(s3client, bucket, key, work, merged, header, decompress, o, total, done);
            } else {
                Path raw = work.resolve("raw");
                if (presigned) {
                    new PresignedTransfers(http, maxAttempts).get(URI.create(file.path("url").asText()), raw,
                            o.progress(), total, done);
                } else {
                    transfers().download(s3client, bucket, key, raw, o.parallelism(), o.progress(), total, done);
                }
                if (header == null && !(decompress && isGzip(raw))) {
                    merged = raw;
                } else {
                    try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(merged), S3Transfers.COPY_BUFFER)) {
                        if (header != null) {
                            out.write(header);
                        }
                        append(raw, out, decompress);
                    }
                }
            }
            Files.move(merged, destination, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            deleteTree(work);
        }
    }

    /** Whether a file resource (or its {@code uploadParams}) carries S3 credentials. */
    private static boolean hasCredentials(JsonNode node) {
        JsonNode c = node.get("credentials");
        return c != null && c.isObject();
    }

    private static void requireCredentialsForSlices(JsonNode file) {
        if (!hasCredentials(file)) {
            throw new IllegalStateException("File " + file.path("id").asText() + " is sliced, and the server handed "
                    + "out no S3 credentials for it (its object store gives presigned URLs only): its slices cannot be "
                    + "read");
        }
    }

    /** The {bucket, key} of every slice of a sliced file, in manifest order. */
    private static List<String[]> manifestSlices(S3Client s3client, String bucket, String key) throws IOException {
        JsonNode manifest;
        try (ResponseInputStream<GetObjectResponse> in = s3client.getObject(b -> b.bucket(bucket).key(key + "manifest"))) {
            manifest = MAPPER.readTree(in);
        }
        List<String[]> slices = new ArrayList<>();
        for (JsonNode entry : manifest.path("entries")) {
            slices.add(parseS3Url(entry.path("url").asText()));
        }
        return slices;
    }

    /** Starts downloading each slice into its target on {@code pool}; the futures come in slice order. */
    private static List<Future<Path>> fetchSlices(S3Client s3client, ExecutorService pool, List<String[]> slices,
            List<Path> targets, DownloadOptions o, long total, AtomicLong done) {
        List<Future<Path>> futures = new ArrayList<>();
        for (int i = 0; i < slices.size(); i++) {
            String[] loc = slices.get(i);
            Path target = targets.get(i);
            futures.add(pool.submit(() -> {
                try (ResponseInputStream<GetObjectResponse> in = s3client.getObject(b -> b.bucket(loc[0]).key(loc[1]));
                        OutputStream out = Files.newOutputStream(target)) {
                    S3Transfers.copy(in, out, o.progress(), total, done);
                }
                return target;
            }));
        }
        return futures;
    }

    private void downloadSliced(S3Client s3client, String bucket, String key, Path work, Path merged, byte[] header,
            boolean decompress, DownloadOptions o, long total, AtomicLong done) throws IOException {
        List<String[]> slices = manifestSlices(s3client, bucket, key);
        List<Path> targets = new ArrayList<>();
        for (int i = 0; i < slices.size(); i++) {
            targets.add(work.resolve("slice-" + i));
        }
        ExecutorService pool = S3Transfers.pool(o.parallelism());
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(merged), S3Transfers.COPY_BUFFER)) {
            if (header != null) {
                out.write(header);
            }
            List<Future<Path>> futures = fetchSlices(s3client, pool, slices, targets, o, total, done);
            // append in manifest order as soon as each slice is there, freeing its disk space
            for (Future<Path> f : futures) {
                Path slice = S3Transfers.await(f);
                append(slice, out, decompress);
                Files.delete(slice);
            }
        } finally {
            S3Transfers.shutdown(pool);
        }
    }

    static String[] parseS3Url(String url) {
        if (!url.startsWith("s3://")) {
            throw new IllegalStateException("manifest entry is not an s3:// url: " + url);
        }
        String rest = url.substring("s3://".length());
        int slash = rest.indexOf('/');
        if (slash <= 0) {
            throw new IllegalStateException("manifest entry has no key: " + url);
        }
        return new String[] {rest.substring(0, slash), rest.substring(slash + 1)};
    }

    private static void append(Path file, OutputStream out, boolean decompress) throws IOException {
        try (InputStream in = decompress ? CsvFiles.open(file) : Files.newInputStream(file)) {
            in.transferTo(out);
        }
    }

    static boolean isGzip(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return in.read() == 0x1f && in.read() == 0x8b;
        }
    }

    // ------------------------------------------------------------------ S3 endpoint

    private S3Transfers transfers() {
        S3Transfers t = s3;
        if (t == null) {
            synchronized (this) {
                if (s3 == null) {
                    s3 = new S3Transfers(resolveS3Endpoint());
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

    // ------------------------------------------------------------------ HTTP

    private record Response(int status, JsonNode body) {
    }

    private JsonNode get(String path, Map<String, ?> query) {
        return send("GET", path, query, null, REQUEST_TIMEOUT).body;
    }

    private Response send(String method, String path, Map<String, ?> query, Object jsonBody, Duration timeout) {
        URI uri = URI.create(host + path + queryString(query));
        byte[] body;
        try {
            body = jsonBody == null ? null : MAPPER.writeValueAsBytes(jsonBody);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        for (int attempt = 1; ; attempt++) {
            HttpRequest.Builder b = HttpRequest.newBuilder(uri).timeout(timeout)
                    .header("X-StorageApi-Token", token)
                    .header("Accept", "application/json")
                    .header("User-Agent", "granary-client/java");
            if (runId != null) {
                b.header("X-KBC-RunId", runId);
            }
            if (body != null) {
                b.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofByteArray(body));
            } else {
                b.method(method, HttpRequest.BodyPublishers.noBody());
            }
            HttpResponse<byte[]> r;
            try {
                r = http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
            } catch (IOException e) {
                if (attempt >= maxAttempts) {
                    throw new UncheckedIOException(method + " " + path + " failed after " + attempt + " attempts: " + e, e);
                }
                sleep(backoff(attempt));
                continue;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw (CancellationException) new CancellationException("interrupted during " + method + " " + path)
                        .initCause(e);
            }
            int status = r.statusCode();
            if (status < 400) {
                return new Response(status, parse(r.body()));
            }
            if (status >= 500 && status != 501 && attempt < maxAttempts) {
                long delay = backoff(attempt);
                if (status == 503) {
                    delay = r.headers().firstValue("Retry-After").map(StorageClient::retryAfterMs).orElse(delay);
                }
                sleep(delay);
                continue;
            }
            throw httpError(status, r.body());
        }
    }

    static StorageApiException httpError(int status, byte[] raw) {
        JsonNode body = null;
        try {
            body = raw == null || raw.length == 0 ? null : MAPPER.readTree(raw);
        } catch (IOException e) {
            // not JSON: keep the text
        }
        if (body != null && body.isObject()) {
            String message = body.hasNonNull("error") ? body.get("error").asText()
                    : body.hasNonNull("reason") ? body.get("reason").asText() : body.toString();
            return new StorageApiException(status, textOrNull(body, "code"), message, textOrNull(body, "exceptionId"), body,
                    null, null);
        }
        String text = raw == null ? "" : new String(raw, StandardCharsets.UTF_8);
        return new StorageApiException(status, null, "HTTP " + status + (text.isBlank() ? "" : ": "
                + text.substring(0, Math.min(1000, text.length()))), null);
    }

    private static JsonNode parse(byte[] raw) {
        if (raw == null || raw.length == 0) {
            return null;
        }
        try {
            return MAPPER.readTree(raw);
        } catch (IOException e) {
            return MAPPER.getNodeFactory().textNode(new String(raw, StandardCharsets.UTF_8));
        }
    }

    private static long retryAfterMs(String header) {
        try {
            return Math.min(60_000, Math.max(0, Long.parseLong(header.trim()) * 1000));
        } catch (NumberFormatException e) {
            return 5_000;
        }
    }

    static long backoff(int attempt) {
        long base = Math.min(8_000, 250L << Math.min(attempt - 1, 10));
        return base + ThreadLocalRandom.current().nextLong(base / 4 + 1);
    }

    private static void sleep(long ms) {
        if (ms <= 0) {
            return;
        }
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CancellationException("interrupted");
        }
    }

    private static void acquire(Semaphore s) throws InterruptedIOException {
        try {
            s.acquire();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted");
        }
    }

    static String queryString(Map<String, ?> query) {
        if (query.isEmpty()) {
            return "";
        }
        StringBuilder sb = new StringBuilder();
        for (Map.Entry<String, ?> e : query.entrySet()) {
            Object v = e.getValue();
            Collection<?> values = v instanceof Collection<?> c ? c : List.of(v);
            for (Object item : values) {
                sb.append(sb.length() == 0 ? '?' : '&').append(enc(e.getKey())).append('=').append(enc(String.valueOf(item)));
            }
        }
        return sb.toString();
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    /** Encodes an id as one path segment (ids contain dots, never slashes). */
    private static String seg(String id) {
        return enc(Objects.requireNonNull(id, "id")).replace("+", "%20");
    }

    private static String normalizeHost(String host) {
        String h = host.trim().replaceAll("/+$", "");
        if (!h.startsWith("http://") && !h.startsWith("https://")) {
            h = "https://" + h;
        }
        return h;
    }

    private static String firstNonBlank(String... values) {
        for (String v : values) {
            if (v != null && !v.isBlank()) {
                return v.trim();
            }
        }
        return null;
    }

    private static String textOrNull(JsonNode node, String field) {
        JsonNode v = node == null ? null : node.get(field);
        return v == null || v.isNull() ? null : v.asText();
    }

    private static void deleteTree(Path dir) {
        if (dir == null || !Files.exists(dir)) {
            return;
        }
        try (var walk = Files.walk(dir)) {
            walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    // best effort: a temp file another process holds open
                }
            });
        } catch (IOException e) {
            // best effort
        }
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
