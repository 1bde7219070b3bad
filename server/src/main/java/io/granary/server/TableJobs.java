package io.granary.server;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.granary.core.job.JobHandler;
import io.granary.core.job.JobProgress;
import io.granary.core.model.Job;
import io.granary.core.model.Table;
import io.granary.core.model.TableRef;
import io.granary.core.port.Catalog;
import io.granary.core.storage.TableService;
import io.granary.server.http.Params;
import io.granary.server.http.TableParams;
import io.granary.server.http.Views;
import io.granary.server.routes.TableRoutes;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;

/** The Table Storage jobs: each re-reads its request parameters and calls {@link TableService}. */
final class TableJobs {

    @FunctionalInterface
    private interface Body {
        ObjectNode run(Job job, Params p, JobProgress progress) throws Exception;
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private final TableService tables;
    private final Catalog catalog;
    private final Views views;
    private final Clock clock;

    TableJobs(TableService tables, Catalog catalog, Views views, Clock clock) {
        this.tables = tables;
        this.catalog = catalog;
        this.views = views;
        this.clock = clock;
    }

    List<JobHandler> handlers() {
        List<JobHandler> out = new ArrayList<>();
        out.add(handler(TableRoutes.CREATE, (job, p, progress) -> {
            TableRef ref = new TableRef(p.string("bucketId"), p.string("name"));
            Table t = tables.create(job.creatorTokenId(), ref, TableParams.dataFileId(p), TableParams.dialect(p),
                    TableParams.primaryKey(p), progress);
            return view(t);
        }));
        out.add(handler(TableRoutes.IMPORT, (job, p, progress) -> JSON.valueToTree(
                tables.importFile(p.string("tableId"), TableParams.importOptions(p), "job-" + job.id(), progress))));
        out.add(handler(TableRoutes.EXPORT, (job, p, progress) -> {
            var file = tables.export(job.creatorTokenId(), job.creatorTokenDescription(), p.string("tableId"),
                    TableParams.exportOptions(p, clock), job.runId());
            ObjectNode results = JsonNodeFactory.instance.objectNode();
            results.putObject("file").put("id", file.id());
            results.put("cacheHit", false);
            return results;
        }));
        out.add(handler(TableRoutes.DROP, (job, p, progress) -> {
            tables.drop(p.string("tableId"));
            return JsonNodeFactory.instance.objectNode();
        }));
        out.add(handler(TableRoutes.ROWS_DELETE, (job, p, progress) -> JsonNodeFactory.instance.objectNode()
                .put("deletedRows", tables.deleteRows(p.string("tableId"), TableParams.selection(p, clock)))));
        out.add(handler(TableRoutes.COLUMN_ADD, (job, p, progress) -> view(tables.addColumn(p.string("tableId"),
                p.string("name")))));
        out.add(handler(TableRoutes.COLUMN_DELETE, (job, p, progress) -> view(tables.dropColumn(p.string("tableId"),
                p.string("name")))));
        out.add(handler(TableRoutes.PRIMARY_KEY_ADD, (job, p, progress) -> view(tables.setPrimaryKey(p.string("tableId"),
                p.list("columns", true)))));
        out.add(handler(TableRoutes.PRIMARY_KEY_DELETE, (job, p, progress) -> view(tables.setPrimaryKey(p.string("tableId"),
                List.of()))));
        return out;
    }

    private ObjectNode view(Table t) {
        return views.table(t, catalog.findBucket(t.ref().bucketId()).orElse(null), true);
    }

    private static JobHandler handler(String operation, Body body) {
        return new JobHandler() {
            @Override
            public String operationName() {
                return operation;
            }

            @Override
            public ObjectNode run(Job job, JobProgress progress) throws Exception {
                return body.run(job, Params.of(job.operationParams()), progress);
            }
        };
    }
}
