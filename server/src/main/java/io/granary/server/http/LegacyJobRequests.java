package io.granary.server.http;

import io.granary.core.error.GranaryException;
import io.granary.core.job.BucketDeleteRequest;
import io.granary.core.job.ColumnRequest;
import io.granary.core.job.FileDeleteRequest;
import io.granary.core.job.JobOperations;
import io.granary.core.job.LegacyRequests;
import io.granary.core.job.PrimaryKeyRequest;
import io.granary.core.job.RowsDeleteRequest;
import io.granary.core.job.TableDropRequest;
import io.granary.core.model.Job;
import io.granary.core.model.TableRef;
import io.granary.core.storage.TableService;
import java.time.Instant;
import java.util.List;

/**
 * Reads jobs stored by Granary versions that kept only the request parameters (still queued after an
 * upgrade, or submitted by an old node during a rolling upgrade): the parameters are read as the HTTP API
 * reads them, and relative times are taken as of the job's submission.
 */
public final class LegacyJobRequests implements LegacyRequests {

    @Override
    public Object read(Job job) {
        Params p = Params.of(job.operationParams());
        Instant submitted = job.createdTime() == null ? Instant.now() : job.createdTime();
        String op = job.operationName();
        String tableId = p.string("tableId");
        if (op.equals(JobOperations.TABLE_CREATE.name())) {
            return TableService.createRequest(new TableRef(p.string("bucketId"), p.string("name")), TableParams.createInput(p));
        } else if (op.equals(JobOperations.TABLE_IMPORT.name())) {
            return TableService.importRequest(tableId, TableParams.importInput(p));
        } else if (op.equals(JobOperations.TABLE_EXPORT.name())) {
            return TableService.exportRequest(tableId, TableParams.exportInput(p), submitted);
        } else if (op.equals(JobOperations.TABLE_DROP.name())) {
            return new TableDropRequest(tableId);
        } else if (op.equals(JobOperations.TABLE_ROWS_DELETE.name())) {
            return new RowsDeleteRequest(tableId, TableService.selection(TableParams.selection(p), submitted));
        } else if (op.equals(JobOperations.TABLE_COLUMN_ADD.name()) || op.equals(JobOperations.TABLE_COLUMN_DELETE.name())) {
            return new ColumnRequest(tableId, p.string("name"));
        } else if (op.equals(JobOperations.TABLE_PRIMARY_KEY_ADD.name())) {
            List<String> columns = p.list("columns", true);
            return new PrimaryKeyRequest(tableId, columns == null ? List.of() : columns);
        } else if (op.equals(JobOperations.TABLE_PRIMARY_KEY_DELETE.name())) {
            return new PrimaryKeyRequest(tableId, List.of());
        } else if (op.equals(JobOperations.BUCKET_DELETE.name())) {
            return new BucketDeleteRequest(p.string("bucketId"), p.bool("force", false));
        } else if (op.equals(JobOperations.FILE_DELETE.name())) {
            Long fileId = p.longValue("fileId");
            if (fileId == null) {
                throw GranaryException.validation("The job names no fileId.");
            }
            return new FileDeleteRequest(fileId);
        }
        throw GranaryException.validation("Jobs of operation " + op + " have no stored form this version knows.");
    }
}
