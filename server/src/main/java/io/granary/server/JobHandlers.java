package io.granary.server;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.granary.core.job.JobHandler;
import io.granary.core.job.JobProgress;
import io.granary.core.model.Job;
import io.granary.core.storage.BucketService;
import io.granary.core.storage.FileService;
import io.granary.server.routes.BucketRoutes;
import io.granary.server.routes.FileRoutes;

/** The jobs of the foundation: deleting files and buckets asynchronously. */
final class JobHandlers {

    private JobHandlers() {
    }

    static JobHandler fileDelete(FileService files) {
        return new JobHandler() {
            @Override
            public String operationName() {
                return FileRoutes.DELETE_OPERATION;
            }

            @Override
            public ObjectNode run(Job job, JobProgress progress) {
                files.remove(job.operationParams().get("fileId").asLong());
                return JsonNodeFactory.instance.objectNode();
            }
        };
    }

    static JobHandler bucketDelete(BucketService buckets) {
        return new JobHandler() {
            @Override
            public String operationName() {
                return BucketRoutes.DELETE_OPERATION;
            }

            @Override
            public ObjectNode run(Job job, JobProgress progress) {
                ObjectNode p = job.operationParams();
                buckets.remove(p.get("bucketId").asText(), p.path("force").asBoolean(false));
                return JsonNodeFactory.instance.objectNode();
            }
        };
    }
}
