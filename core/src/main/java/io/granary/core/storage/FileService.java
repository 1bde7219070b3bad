package io.granary.core.storage;

import io.granary.core.error.ErrorCode;
import io.granary.core.error.GranaryException;
import io.granary.core.job.FileDeleteRequest;
import io.granary.core.job.JobOperations;
import io.granary.core.job.JobOrigin;
import io.granary.core.job.JobService;
import io.granary.core.model.Access;
import io.granary.core.model.Job;
import io.granary.core.model.JobLock;
import io.granary.core.model.FileQuery;
import io.granary.core.model.IssuedCredentials;
import io.granary.core.model.StoredFile;
import io.granary.core.model.Token;
import io.granary.core.port.Catalog;
import io.granary.core.port.CredentialIssuer;
import io.granary.core.port.ObjectStore;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;

/** File Storage: prepare uploads with scoped credentials, list, detail, tags, delete, expire. */
public final class FileService {

    /** What {@code POST /files/prepare} asks for. Null booleans are false. */
    public record PrepareRequest(String name, Long sizeBytes, String contentType, boolean isPublic, boolean isPermanent,
            boolean isEncrypted, boolean isSliced, List<String> tags) {
    }

    /** A file list request; null numbers take defaults. */
    public record ListRequest(Integer limit, Integer offset, Long sinceId, Long maxId, List<String> tags, String runId,
            String q, boolean showExpired) {
    }

    /**
     * A file as shown to a client: its presigned {@code url} and, when asked for, credentials
     * ({@code upload} for a prepared file, download otherwise). {@code uploadUrl} is a presigned PUT URL,
     * set instead of upload credentials when the store mints none ({@link CredentialIssuer#mintsCredentials()}).
     */
    public record FileView(StoredFile file, URI url, IssuedCredentials credentials, URI uploadUrl) {

        public FileView(StoredFile file, URI url, IssuedCredentials credentials) {
            this(file, url, credentials, null);
        }
    }

    public static final int MAX_AGE_DAYS = 15;
    public static final int DEFAULT_LIST_LIMIT = 100;
    public static final int MAX_LIST_LIMIT = 1000;
    public static final Duration CREDENTIALS_TTL = Duration.ofHours(12);
    public static final Duration URL_TTL = Duration.ofHours(1);
    private static final int MAX_NAME_LENGTH = 255;
    private static final ObjectMapper MANIFEST_JSON = new ObjectMapper();

    private final Catalog catalog;
    private final ObjectStore objects;
    private final CredentialIssuer credentials;
    private final JobService jobs;
    private final Clock clock;
    private final long projectId;
    private final ExportFiles exports;

    /** File Storage without a job service: everything but {@link #submitDelete} (for tests of the object store). */
    public FileService(Catalog catalog, ObjectStore objects, CredentialIssuer credentials, Clock clock, long projectId) {
        this(catalog, objects, credentials, null, clock, projectId);
    }

    public FileService(Catalog catalog, ObjectStore objects, CredentialIssuer credentials, JobService jobs, Clock clock,
            long projectId) {
        this.catalog = catalog;
        this.objects = objects;
        this.credentials = credentials;
        this.jobs = jobs;
        this.clock = clock;
        this.projectId = projectId;
        this.exports = new ExportFiles(catalog, objects, clock, projectId);
    }

    /** The sliced files table exports write (see {@link ExportFiles}). */
    public ExportFiles exports() {
        return exports;
    }

    /** Registers the handler of file jobs. */
    public void registerWith(JobService service) {
        service.register(JobOperations.FILE_DELETE, (r, job, progress) -> {
            remove(r.fileId());
            return MANIFEST_JSON.createObjectNode();
        });
    }

    /**
     * Registers a file to be uploaded and hands out upload credentials, or, when the store mints none, a
     * presigned PUT URL ({@link FileView#uploadUrl()}); a sliced file then cannot be uploaded and is refused.
     */
    public FileView prepare(Token caller, PrepareRequest request, String runId) {
        if (request.isSliced() && !credentials.mintsCredentials()) {
            throw slicedNeedsCredentials();
        }
        StoredFile file = register(caller, request, runId);
        return uploadView(file);
    }

    /** Streams {@code data} into a new file (the importer's {@code /upload-file}). */
    public FileView upload(Token caller, PrepareRequest request, InputStream data, long length, String runId) {
        StoredFile file = register(caller, request, runId);
        try {
            objects.put(file.key(), data, length);
        } catch (RuntimeException e) {
            catalog.deleteFile(file.id());
            objects.delete(file.key());
            throw e;
        }
        long size = objects.stat(file.key()).map(ObjectStore.ObjectInfo::size).orElse(0L);
        catalog.updateFileSize(file.id(), size);
        StoredFile stored = file.withSizeBytes(size);
        return new FileView(stored, url(stored), null);
    }

    /**
     * A file; with {@code federationToken}, download credentials too, unless the store mints none: then the
     * presigned {@code url} is the only way to read it.
     */
    public FileView get(Token caller, long id, boolean federationToken) {
        StoredFile file = require(caller, id);
        IssuedCredentials download = federationToken && credentials.mintsCredentials()
                ? credentials.issue(file.key(), file.isSliced(), Access.DOWNLOAD, CREDENTIALS_TTL) : null;
        return new FileView(file, url(file), download);
    }

    /**
     * New upload credentials for a file the caller can see ({@code PUT /files/{id}/refresh}); a new presigned
     * PUT URL when the store mints no credentials (refused for a sliced file, as in {@link #prepare}).
     */
    public FileView refresh(Token caller, long id) {
        StoredFile file = require(caller, id);
        if (file.isSliced() && !credentials.mintsCredentials()) {
            throw slicedNeedsCredentials();
        }
        return uploadView(file);
    }

    public List<FileView> list(Token caller, ListRequest request) {
        int limit = request.limit() == null ? DEFAULT_LIST_LIMIT : Math.max(0, Math.min(request.limit(), MAX_LIST_LIMIT));
        int offset = request.offset() == null ? 0 : Math.max(0, request.offset());
        Long creator = seesAll(caller) ? null : caller.id();
        FileQuery query = new FileQuery(limit, offset, request.sinceId(), request.maxId(), request.tags(), request.runId(),
                request.q(), creator, request.showExpired(), clock.instant());
        return catalog.listFiles(query).stream().map(f -> new FileView(f, url(f), null)).toList();
    }

    public void delete(Token caller, long id) {
        require(caller, id);
        remove(id);
    }

    /** Accepts the deletion of a file as a job ({@code ?async=1}). */
    public Job submitDelete(Token caller, long id, JobOrigin origin) {
        if (jobs == null) {
            throw new IllegalStateException("This FileService runs no jobs");
        }
        require(caller, id);
        return jobs.submit(JobOperations.FILE_DELETE, new FileDeleteRequest(id), null, JobLock.file(id), caller, origin);
    }

    private void remove(long id) {
        catalog.findFile(id).ifPresent(file -> {
            removeObjects(file);
            catalog.deleteFile(id);
        });
    }

    public void addTag(Token caller, long id, String tag) {
        StoredFile file = require(caller, id);
        String clean = validTag(tag);
        LinkedHashSet<String> tags = new LinkedHashSet<>(file.tags());
        tags.add(clean);
        catalog.updateFileTags(id, new ArrayList<>(tags));
    }

    public void removeTag(Token caller, long id, String tag) {
        StoredFile file = require(caller, id);
        List<String> tags = new ArrayList<>(file.tags());
        tags.remove(tag);
        catalog.updateFileTags(id, tags);
    }

    /**
     * The data of a file as local paths in order: the slices named by its manifest for a sliced file.
     * Manifest entries must point inside the file's own key prefix (a manifest cannot borrow another
     * file's objects). Fails with {@code storage.fileNotUploaded} when the bytes are not there.
     */
    public LocalFiles localFiles(StoredFile file, Path tempDir) {
        if (!isUploaded(file)) {
            throw new GranaryException(ErrorCode.FILE_NOT_UPLOADED, "File " + file.id() + " (" + file.name()
                    + ") has not been uploaded yet.");
        }
        List<String> keys = file.isSliced() ? manifestKeys(file) : List.of(file.key());
        List<Path> paths = new ArrayList<>();
        List<Path> temporary = new ArrayList<>();
        LocalFiles result = new LocalFiles(paths, temporary);
        try {
            for (String key : keys) {
                var local = objects.localPath(key);
                if (local.isPresent()) {
                    paths.add(local.get());
                    continue;
                }
                try (InputStream in = objects.open(key).orElseThrow(() -> new GranaryException(ErrorCode.FILE_NOT_UPLOADED,
                        "Slice " + key + " of file " + file.id() + " is missing."))) {
                    Path copy = Files.createTempFile(tempDir, "slice-", ".part");
                    temporary.add(copy);
                    Files.copy(in, copy, StandardCopyOption.REPLACE_EXISTING);
                    paths.add(copy);
                }
            }
            return result;
        } catch (IOException e) {
            result.close();
            throw new GranaryException(ErrorCode.INTERNAL, "Cannot read file " + file.id() + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            result.close();
            throw e;
        }
    }

    private List<String> manifestKeys(StoredFile file) {
        String prefix = "s3://" + objects.bucket() + "/" + file.key();
        JsonNode manifest;
        try (InputStream in = objects.open(file.key() + "manifest").orElseThrow()) {
            manifest = MANIFEST_JSON.readTree(in);
        } catch (IOException e) {
            throw new GranaryException(ErrorCode.INVALID_CSV, "The manifest of sliced file " + file.id() + " is not valid JSON.");
        }
        JsonNode entries = manifest == null ? null : manifest.get("entries");
        if (entries == null || !entries.isArray()) {
            throw new GranaryException(ErrorCode.INVALID_CSV,
                    "The manifest of sliced file " + file.id() + " has no \"entries\" array.");
        }
        List<String> keys = new ArrayList<>();
        for (JsonNode entry : entries) {
            String url = entry.path("url").asText("");
            if (!url.startsWith(prefix) || url.length() == prefix.length() || url.equals(prefix + "manifest")) {
                throw new GranaryException(ErrorCode.INVALID_CSV, "Manifest entry \"" + url
                        + "\" is not a slice of file " + file.id() + ": slices must be under " + prefix + ".");
            }
            keys.add(url.substring(("s3://" + objects.bucket() + "/").length()));
        }
        return keys;
    }

    /** Stores one local file (not sliced) as a new file owned by {@code creatorTokenId}; returns it. */
    public StoredFile storeSingle(long creatorTokenId, String creatorDescription, String name, List<String> tags, Path file,
            String runId) {
        return store(creatorTokenId, creatorDescription, name, tags, false, runId, "the file", key -> {
            objects.putFile(key, file);
            return Files.size(file);
        });
    }

    @FunctionalInterface
    private interface ObjectsWriter {
        /** Writes a new file's objects at (or, sliced, under) key; returns their size in bytes. */
        long write(String key) throws IOException;
    }

    // objects first, the record last: a failure leaves no file registered, and its objects are removed
    private StoredFile store(long creatorTokenId, String creatorDescription, String name, List<String> tags,
            boolean sliced, String runId, String what, ObjectsWriter writer) {
        Instant now = clock.instant();
        long id = catalog.nextFileId();
        String key = key(false, now, id, name);
        long size;
        try {
            size = writer.write(key);
        } catch (IOException | RuntimeException e) {
            objects.deletePrefix(key);
            throw e instanceof GranaryException ge ? ge
                    : new GranaryException(ErrorCode.INTERNAL, "Cannot store " + what + ": " + e.getMessage(), e);
        }
        StoredFile file = new StoredFile(id, name, size, "text/csv", false, sliced, false, false, "csv", tags, runId,
                creatorTokenId, creatorDescription, key, now, now.plus(Duration.ofDays(MAX_AGE_DAYS)));
        catalog.insertFile(file);
        return file;
    }

    /** Whether the bytes of a prepared file have arrived (the manifest, for a sliced file). */
    public boolean isUploaded(StoredFile file) {
        return objects.stat(file.isSliced() ? file.key() + "manifest" : file.key()).isPresent();
    }

    /** Removes expired files and their objects; returns how many went. */
    public int purgeExpired() {
        int removed = 0;
        for (StoredFile file : catalog.listExpiredFiles(clock.instant(), 500)) {
            removeObjects(file);
            catalog.deleteFile(file.id());
            removed++;
        }
        catalog.deleteExpiredCredentials(clock.instant().minus(Duration.ofHours(1)));
        return removed;
    }

    /** The file if the caller may see it: its own upload, or any with canReadAllFileUploads. */
    public StoredFile require(Token caller, long id) {
        StoredFile file = catalog.findFile(id)
                .filter(f -> !f.isExpired(clock.instant()))
                .orElseThrow(() -> notFound(id));
        if (!seesAll(caller) && file.creatorTokenId() != caller.id()) {
            throw notFound(id);
        }
        return file;
    }

    public static GranaryException notFound(long id) {
        return new GranaryException(ErrorCode.FILES_NOT_FOUND, "File not found (id " + id + ").");
    }

    private StoredFile register(Token caller, PrepareRequest request, String runId) {
        String name = request.name();
        if (name == null || name.isBlank()) {
            throw new GranaryException(ErrorCode.FILES_VALIDATION, "Invalid request: name: This value should not be blank.");
        }
        if (name.length() > MAX_NAME_LENGTH) {
            throw new GranaryException(ErrorCode.FILES_VALIDATION, "Invalid request: name: This value is too long. It should have "
                    + MAX_NAME_LENGTH + " characters or less.");
        }
        if (request.sizeBytes() != null && request.sizeBytes() < 0) {
            throw new GranaryException(ErrorCode.FILES_VALIDATION, "Invalid request: sizeBytes: This value should be 0 or more.");
        }
        List<String> tags = new ArrayList<>(new LinkedHashSet<>(request.tags() == null ? List.of()
                : request.tags().stream().map(FileService::validTag).toList()));
        Instant now = clock.instant();
        long id = catalog.nextFileId();
        String key = key(request.isPermanent(), now, id, name);
        Instant expires = request.isPermanent() ? null : now.plus(Duration.ofDays(MAX_AGE_DAYS));
        StoredFile file = new StoredFile(id, name, request.sizeBytes(), request.contentType(), request.isPublic(),
                request.isSliced(), request.isEncrypted(), request.isPermanent(), fileType(name), tags, runId, caller.id(),
                caller.description(), key, now, expires);
        catalog.insertFile(file);
        return file;
    }

    private String key(boolean permanent, Instant now, long id, String name) {
        return FileKeys.of(permanent, now, projectId, id, keySafe(name));
    }

    private FileView uploadView(StoredFile file) {
        if (!credentials.mintsCredentials()) {
            return new FileView(file, url(file), null, objects.presignPut(file.key(), CREDENTIALS_TTL));
        }
        return new FileView(file, url(file), credentials.issue(file.key(), file.isSliced(), Access.UPLOAD,
                CREDENTIALS_TTL));
    }

    private static GranaryException slicedNeedsCredentials() {
        return new GranaryException(ErrorCode.FILES_VALIDATION, "Invalid request: isSliced: sliced uploads need "
                + "temporary S3 credentials, and this Granary's object store hands out presigned URLs only. "
                + "Upload the file as one object (isSliced=false).");
    }

    private URI url(StoredFile file) {
        return objects.presignGet(file.isSliced() ? file.key() + "manifest" : file.key(), URL_TTL);
    }

    private void removeObjects(StoredFile file) {
        if (file.isSliced()) {
            objects.deletePrefix(file.key());
        } else {
            objects.delete(file.key());
        }
    }

    private static boolean seesAll(Token caller) {
        return caller.isMasterToken() || caller.canReadAllFileUploads();
    }

    private static String validTag(String tag) {
        if (tag == null || tag.isBlank()) {
            throw new GranaryException(ErrorCode.FILES_VALIDATION, "Invalid request: tag: This value should not be blank.");
        }
        if (tag.length() > 255) {
            throw new GranaryException(ErrorCode.FILES_VALIDATION, "Invalid request: tag: This value is too long. It should have 255 characters or less.");
        }
        return tag.strip();
    }

    static String keySafe(String name) {
        return name.replaceAll("[^A-Za-z0-9._-]", "_");
    }

    private static String fileType(String name) {
        String lower = name.toLowerCase(Locale.ROOT);
        if (lower.endsWith(".gz")) {
            lower = lower.substring(0, lower.length() - 3);
        }
        int dot = lower.lastIndexOf('.');
        return dot < 0 || dot == lower.length() - 1 ? "file" : lower.substring(dot + 1);
    }
}
