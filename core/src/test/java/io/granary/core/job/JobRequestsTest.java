package io.granary.core.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.granary.core.csv.CsvDialect;
import io.granary.core.error.ErrorCode;
import io.granary.core.error.GranaryException;
import io.granary.core.model.FileType;
import io.granary.core.model.TableRef;
import io.granary.core.port.TableBackend.RowSelection;
import io.granary.core.port.TableBackend.WhereFilter;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Every typed request reads back from the JSON a job queue stores exactly as it was accepted. */
class JobRequestsTest {

    private static final Instant SINCE = Instant.parse("2024-01-01T10:00:00.123456Z");

    @Test
    void everyRequestRoundTrips() {
        RowSelection selection = new RowSelection(List.of(WhereFilter.of("status", "NE", List.of("paid", "sent")),
                WhereFilter.of("amount", "ge", List.of("30"))), SINCE, null);
        List<Object> requests = List.of(
                new TableCreateRequest(new TableRef("in.c-main", "orders"), new ImportSource.FileSource(7),
                        new CsvDialect(';', '\'', '\\'), List.of("id")),
                new TableImportRequest("in.c-main.orders", new ImportSource.FileSource(8), true, CsvDialect.RFC,
                        List.of("id", "name"), true),
                new TableExportRequest("in.c-main.orders", List.of("id"), selection, List.of("id"), 10L, true, FileType.CSV, false),
                new TableDropRequest("in.c-main.orders"),
                new RowsDeleteRequest("in.c-main.orders", selection),
                new ColumnRequest("in.c-main.orders", "extra"),
                new PrimaryKeyRequest("in.c-main.orders", List.of("id", "name")),
                new BucketDeleteRequest("in.c-main", true),
                new FileDeleteRequest(9));
        for (Object request : requests) {
            ObjectNode stored = JobRequests.write(request);
            assertThat(JobRequests.read(stored, request.getClass())).as(stored.toString()).isEqualTo(request);
        }
        ObjectNode export = JobRequests.write(requests.get(2));
        assertThat(export.at("/selection/changedSince").asText()).isEqualTo("2024-01-01T10:00:00.123456Z");
        assertThat(export.at("/selection/filters/0/operator").asText()).isEqualTo("NE");
    }

    @Test
    void fieldsAddedLaterReadAsTheirDefaults() {
        ObjectNode old = JobRequests.write(new TableExportRequest("in.c-main.t", null, null, null, null, false, null, false));
        old.remove("fileType");
        old.remove("columns");
        old.put("someFieldOfANewerVersion", 1);
        TableExportRequest read = JobRequests.read(old, TableExportRequest.class);
        assertThat(read.fileType()).isEqualTo(FileType.CSV);
        assertThat(read.columns()).isEmpty();
        assertThat(read.selection()).isEqualTo(RowSelection.ALL);
    }

    @Test
    void aRequestOfAnotherShapeIsAClearError() {
        ObjectNode wrong = JobRequests.write(new FileDeleteRequest(1));
        wrong.put("fileId", "not a number");
        assertThatThrownBy(() -> JobRequests.read(wrong, FileDeleteRequest.class))
                .isInstanceOfSatisfying(GranaryException.class,
                        e -> assertThat(e.errorCode()).isEqualTo(ErrorCode.JOB_UNREADABLE))
                .hasMessageStartingWith("The job's stored request cannot be read as FileDeleteRequest");
    }
}
