package io.granary.core.storage;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.granary.core.error.ErrorCode;
import io.granary.core.error.GranaryException;
import io.granary.core.job.BucketDeleteRequest;
import io.granary.core.job.JobOperations;
import io.granary.core.job.JobOrigin;
import io.granary.core.job.JobService;
import io.granary.core.model.Bucket;
import io.granary.core.model.Job;
import io.granary.core.model.JobLock;
import io.granary.core.model.Permission;
import io.granary.core.model.Table;
import io.granary.core.model.Token;
import io.granary.core.port.Catalog;
import io.granary.core.port.TableBackend;
import java.time.Clock;
import java.util.List;
import java.util.regex.Pattern;

/** Buckets: create, list, detail, delete, with Keboola's naming rules and permission checks. */
public final class BucketService {

    /** What a caller asks for when creating a bucket. */
    public record BucketRequest(String name, String stage, String description, String displayName, String backend) {
    }

    public static final int MAX_NAME_LENGTH = 96;
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_-]+");

    private final Catalog catalog;
    private final TableBackend tables;
    private final JobService jobs;
    private final Clock clock;
    private final String backend;
    private final StorageErrors errors;

    public BucketService(Catalog catalog, TableBackend tables, JobService jobs, Clock clock, String backend,
            StorageErrors errors) {
        this.catalog = catalog;
        this.tables = tables;
        this.jobs = jobs;
        this.clock = clock;
        this.backend = backend;
        this.errors = errors;
    }

    /** Registers the handler of bucket jobs. */
    public void registerWith(JobService service) {
        service.register(JobOperations.BUCKET_DELETE, (r, job, progress) -> {
            remove(r);
            return JsonNodeFactory.instance.objectNode();
        });
    }

    public Bucket create(Token caller, BucketRequest request) {
        if (!caller.canManageBuckets()) {
            throw GranaryException.accessDenied("You don't have access to the resource.");
        }
        String name = request.name();
        if (name == null || name.isBlank()) {
            throw new GranaryException(ErrorCode.BUCKETS_VALIDATION, "Invalid request:\n - name: \"This value should not be blank.\"");
        }
        validateName("name", name);
        String stage = request.stage();
        if (!"in".equals(stage) && !"out".equals(stage)) {
            throw new GranaryException(ErrorCode.BUCKETS_VALIDATION,
                    "Invalid request:\n - stage: \"The value you selected is not a valid choice. Valid values are: in, out.\"");
        }
        String displayName = request.displayName() == null || request.displayName().isBlank() ? name : request.displayName();
        validateName("displayName", displayName);
        if (request.backend() != null && !request.backend().isBlank() && !request.backend().equals(backend)) {
            throw new GranaryException(ErrorCode.BUCKETS_VALIDATION,
                    "Backend \"" + request.backend() + "\" is not supported. This project uses \"" + backend + "\".");
        }
        String fullName = "c-" + name;
        String id = stage + "." + fullName;
        Bucket bucket = new Bucket(id, fullName, displayName, stage, request.description(), backend, clock.instant());
        if (!catalog.insertBucket(bucket)) {
            boolean displayNameTaken = catalog.listBuckets().stream()
                    .anyMatch(b -> b.stage().equals(stage) && b.displayName().equals(displayName));
            String message = displayNameTaken
                    ? "The display name \"" + displayName + "\" already exists in project."
                    : "The bucket \"" + id + "\" already exists.";
            throw new GranaryException(ErrorCode.BUCKETS_ALREADY_EXISTS, message);
        }
        return bucket;
    }

    public List<Bucket> list(Token caller) {
        return catalog.listBuckets().stream().filter(b -> caller.permissionOn(b.id()) != null).toList();
    }

    /** The bucket, if the caller may at least read it. */
    public Bucket get(Token caller, String id) {
        return require(caller, id, Permission.READ);
    }

    /** The bucket, if the caller holds {@code needed} on it; 404 when it does not exist, 403 without rights. */
    public Bucket require(Token caller, String id, Permission needed) {
        Bucket bucket = catalog.findBucket(id).orElseThrow(() -> errors.bucketNotFound(id));
        if (!caller.can(id, needed)) {
            throw GranaryException.accessDenied("You don't have access to the resource.");
        }
        return bucket;
    }

    /**
     * Accepts the deletion of a bucket; one with tables only with {@code force}, which drops them too. The job
     * holds the bucket and every table in it ({@link JobLock#bucket}): it waits for the jobs already queued on
     * its tables, and jobs submitted after it wait for it.
     */
    public Job submitDelete(Token caller, String id, boolean force, JobOrigin origin) {
        require(caller, id, Permission.MANAGE);
        checkEmpty(id, force);
        return jobs.submit(JobOperations.BUCKET_DELETE, new BucketDeleteRequest(id, force), null, JobLock.bucket(id),
                caller, origin);
    }

    private void remove(BucketDeleteRequest r) {
        checkEmpty(r.bucketId(), r.force());
        for (Table t : catalog.listTables(r.bucketId())) {
            tables.dropTable(t.ref());
            catalog.deleteTable(t.id());
            catalog.deleteMetadata(t.id());
        }
        catalog.deleteBucket(r.bucketId());
    }

    private void checkEmpty(String id, boolean force) {
        int count = catalog.listTables(id).size();
        if (count > 0 && !force) {
            throw new GranaryException(ErrorCode.BUCKETS_DELETE_NOT_EMPTY, "Only empty buckets can be deleted. There are "
                    + count + " tables in the bucket.");
        }
    }

    private static void validateName(String field, String value) {
        if (value.length() > MAX_NAME_LENGTH) {
            throw new GranaryException(ErrorCode.BUCKETS_VALIDATION, "Invalid request:\n - " + field
                    + ": \"This value is too long. It should have " + MAX_NAME_LENGTH + " characters or less.\"");
        }
        if (!NAME.matcher(value).matches()) {
            throw new GranaryException(ErrorCode.BUCKETS_VALIDATION, "Invalid request:\n - " + field + ": \"'" + value
                    + "' contains not allowed characters. Only alphanumeric characters dash and underscores are allowed.\"");
        }
    }
}
