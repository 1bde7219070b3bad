package io.granary.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.granary.server.support.EmbeddedGranary;
import io.granary.server.support.ParquetFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** {@link StorageClient#exportTable} with {@code fileType parquet}: a directory of Parquet slices, not one merged file. */
class ParquetExportTest {

    @RegisterExtension
    static EmbeddedGranary granary = new EmbeddedGranary();
    static StorageClient client;

    @TempDir
    Path tmp;

    @BeforeAll
    static void start() {
        client = StorageClient.create(granary.url(), EmbeddedGranary.MASTER_TOKEN);
    }

    @AfterAll
    static void stop() {
        client.close();
    }

    @Test
    void parquetExportLandsAsADirectoryOfSlicesReplacingWhatWasThere() throws Exception {
        client.createBucket("client-parquet", "in", null);
        String tableId = client.createTable("in.c-client-parquet", "t",
                Files.writeString(tmp.resolve("t.csv"), "id,name\n1,a\n2,\"b, with \"\"quotes\"\"\"\n3,\n"),
                TableCreateOptions.defaults());
        Path out = tmp.resolve("t.parquet");
        Files.writeString(out, "an older download, replaced");

        JsonNode job = client.exportTable(tableId, out, TableExportOptions.defaults().fileType("parquet")
                .where("id", List.of("3"), "ne"), DownloadOptions.defaults());

        assertThat(job.path("status").asText()).isEqualTo("success");
        assertThat(client.getFile(job.path("results").path("file").path("id").asLong(), false).path("fileType").asText())
                .isEqualTo("parquet");
        assertThat(out).isDirectory();
        List<Path> slices;
        try (Stream<Path> files = Files.list(out)) {
            slices = files.sorted().toList();
        }
        assertThat(slices).isNotEmpty().allSatisfy(p -> assertThat(p.getFileName().toString()).endsWith(".parquet"));
        assertThat(ParquetFiles.rows(slices)).containsExactlyInAnyOrder(List.of("1", "a"), List.of("2", "b, with \"quotes\""));
        try (Stream<Path> left = Files.list(tmp)) {
            assertThat(left.map(p -> p.getFileName().toString())).noneMatch(n -> n.startsWith(".granary-"));
        }
        // a CSV export of the same table is still one file with a header
        Path csv = tmp.resolve("t.csv.out");
        client.exportTable(tableId, csv, TableExportOptions.defaults().fileType("csv"));
        assertThat(Files.readString(csv)).startsWith("\"id\",\"name\"\n");
    }

    @Test
    void anUnknownFileTypeIsTheServersValidationError() throws IOException {
        client.createBucket("client-parquet-bad", "in", null);
        String tableId = client.createTable("in.c-client-parquet-bad", "t", Files.writeString(tmp.resolve("t.csv"),
                "id\n1\n"), TableCreateOptions.defaults());
        Path out = tmp.resolve("never");
        assertThatThrownBy(() -> client.exportTable(tableId, out, TableExportOptions.defaults().fileType("xlsx")))
                .isInstanceOfSatisfying(StorageApiException.class, e -> {
                    assertThat(e.status()).isEqualTo(400);
                    assertThat(e.code()).isEqualTo("storage.tables.validation");
                    assertThat(e.getMessage()).contains("fileType");
                });
        assertThat(out).doesNotExist();
    }
}
