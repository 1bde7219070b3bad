package io.granary.core.storage;

import io.granary.core.job.JobService;
import io.granary.core.port.Catalog;
import io.granary.core.port.CredentialIssuer;
import io.granary.core.port.ObjectStore;
import io.granary.core.port.TableBackend;
import io.granary.core.port.WorkspaceBackend;
import java.nio.file.Path;
import java.time.Clock;

/**
 * The use cases of one node wired to its ports, with the handler of every job registered on its
 * {@link JobService}: what the HTTP edge (or any other front) calls.
 */
public final class Storage {

    /** The ports and settings Storage runs on; {@code workspaces} is null when the table backend offers none. */
    public record Ports(Catalog catalog, TableBackend tables, String backendName, ObjectStore objects,
            CredentialIssuer credentials, JobService jobs, Clock clock, Path tempDir, long projectId,
            WorkspaceBackend workspaces) {
    }

    private final TokenService tokens;
    private final BucketService buckets;
    private final FileService files;
    private final TableService tables;
    private final WorkspaceService workspaces;
    private final WorkspaceLoads workspaceLoads;

    /**
     * @param view          how job results show a changed table (the HTTP edge knows its public address)
     * @param workspaceView how the results of an asynchronous workspace create show the workspace
     */
    public Storage(Ports ports, TableView view, WorkspaceView workspaceView) {
        StorageErrors errors = new StorageErrors(ports.projectId());
        JobService jobs = ports.jobs();
        tokens = new TokenService(ports.catalog(), ports.clock(), ports.projectId());
        buckets = new BucketService(ports.catalog(), ports.tables(), jobs, ports.clock(), ports.backendName(), errors);
        files = new FileService(ports.catalog(), ports.objects(), ports.credentials(), jobs, ports.clock(),
                ports.projectId());
        workspaces = new WorkspaceService(ports.catalog(), ports.workspaces(), ports.backendName(), jobs, ports.clock(),
                workspaceView);
        tables = new TableService(ports.catalog(), ports.tables(), buckets, files, workspaces, jobs, ports.clock(), errors);
        workspaceLoads = new WorkspaceLoads(ports.catalog(), workspaces, tables, jobs, ports.clock(), errors);
        buckets.registerWith(jobs);
        files.registerWith(jobs);
        workspaces.registerWith(jobs);
        workspaceLoads.registerWith(jobs);
        new TableJobs(ports.catalog(), ports.tables(), files, ports.workspaces(), view, ports.clock(), ports.tempDir(),
                errors).registerWith(jobs);
    }

    public TokenService tokens() {
        return tokens;
    }

    public BucketService buckets() {
        return buckets;
    }

    public FileService files() {
        return files;
    }

    public TableService tables() {
        return tables;
    }

    public WorkspaceService workspaces() {
        return workspaces;
    }

    public WorkspaceLoads workspaceLoads() {
        return workspaceLoads;
    }
}
