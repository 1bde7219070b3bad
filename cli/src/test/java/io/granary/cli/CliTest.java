package io.granary.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.granary.server.support.EmbeddedGranary;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.zip.CRC32;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** The {@code granary} client commands against a real server: big sliced transfers, errors, exit codes. */
class CliTest {

    private static final String TOKEN = EmbeddedGranary.MASTER_TOKEN;
    private static final long BIG_BYTES = 200L * 1024 * 1024;

    @TempDir
    static Path tmp;

    @RegisterExtension
    static EmbeddedGranary server = new EmbeddedGranary();

    private static Path big;
    private static long bigRows;

    @BeforeAll
    static void start() throws IOException {
        big = tmp.resolve("big.csv");
        // every value quoted, as exports write them, so the round trip can be compared line by line
        try (BufferedWriter w = Files.newBufferedWriter(big)) {
            w.write("\"id\",\"name\",\"note\"\n");
            long bytes = 0;
            while (bytes < BIG_BYTES) {
                String line = "\"" + bigRows + "\",\"name " + (bigRows % 977) + ", with comma\",\"say \"\"hi\"\" "
                        + (bigRows * 31 % 10007) + "\"\n";
                w.write(line);
                bytes += line.length();
                bigRows++;
            }
        }
    }

    private static CliRun granary(String... args) {
        return CliRun.run(server.url(), TOKEN, args);
    }

    @Test
    void bigSlicedTableRoundTripsThroughUploadAndDownload() throws Exception {
        CliRun upload = granary("table", "upload", "in.c-cli.big", big.toString(), "--primary-key", "id", "--sliced",
                "--slice-size", "32MB", "--parallelism", "4");
        assertThat(upload.exitCode()).as(upload.err()).isZero();
        assertThat(upload.out()).contains("in.c-cli.big: " + bigRows + " rows");

        Path out = tmp.resolve("big-out.csv");
        CliRun download = granary("table", "download", "in.c-cli.big", "-o", out.toString());
        assertThat(download.exitCode()).as(download.err()).isZero();
        assertThat(firstLine(out)).isEqualTo("\"id\",\"name\",\"note\"");
        // slices come back in any order: compare the multiset of lines
        assertThat(lineChecksum(out)).isEqualTo(lineChecksum(big));
    }

    @Test
    void slicedFileDownloadMergesSlicesInOrder() throws Exception {
        CliRun upload = granary("file", "upload", big.toString(), "--sliced", "--slice-size", "16MB", "--compress",
                "--tags", "cli,big", "--output", "json");
        assertThat(upload.exitCode()).as(upload.err()).isZero();
        JsonNode file = new ObjectMapper().readTree(upload.out());
        assertThat(file.get("isSliced").asBoolean()).isTrue();
        Path out = tmp.resolve("merged.csv");
        CliRun download = granary("file", "download", file.get("id").asText(), "-o", out.toString(), "--decompress");
        assertThat(download.exitCode()).as(download.err()).isZero();
        assertThat(sha256(out)).isEqualTo(sha256WithoutHeader(big));

        CliRun list = granary("file", "list", "--tags", "big");
        assertThat(list.exitCode()).isZero();
        assertThat(list.out()).contains(file.get("id").asText());
    }

    @Test
    void tableDownloadAsParquetWritesADirectoryOfSlices() throws Exception {
        Path csv = Files.writeString(tmp.resolve("pq.csv"), "id,name\n1,a\n2,\"b,c\"\n3,x\n");
        assertThat(granary("table", "upload", "in.c-cli.pq", csv.toString()).exitCode()).isZero();
        Path out = tmp.resolve("pq-out");
        CliRun download = granary("table", "download", "in.c-cli.pq", "-o", out.toString(), "--format", "parquet",
                "--where", "id!=3");
        assertThat(download.exitCode()).as(download.err()).isZero();
        java.util.List<Path> slices;
        try (var files = Files.list(out)) {
            slices = files.sorted().toList();
        }
        assertThat(slices).isNotEmpty().allSatisfy(p -> assertThat(p.toString()).endsWith(".parquet"));
        assertThat(io.granary.server.support.ParquetFiles.rows(slices))
                .containsExactlyInAnyOrder(java.util.List.of("1", "a"), java.util.List.of("2", "b,c"));

        CliRun bad = granary("table", "download", "in.c-cli.pq", "-o", tmp.resolve("pq-bad").toString(), "--format", "xlsx");
        assertThat(bad.exitCode()).isEqualTo(2);
        assertThat(bad.err()).contains("--format must be csv or parquet, not xlsx.");
        assertThat(tmp.resolve("pq-bad")).doesNotExist();
    }

    @Test
    void failedImportExitsOneWithTheJobsMessage() throws IOException {
        Path good = Files.writeString(tmp.resolve("good.csv"), "id,name\n1,a\n");
        assertThat(granary("table", "upload", "in.c-cli.strict", good.toString()).exitCode()).isZero();
        Path bad = Files.writeString(tmp.resolve("bad.csv"), "id\n2\n");
        CliRun failed = granary("table", "upload", "in.c-cli.strict", bad.toString(), "--incremental-load");
        assertThat(failed.exitCode()).isEqualTo(1);
        assertThat(failed.err()).contains("Missing columns: name");
        CliRun detail = granary("table", "detail", "in.c-cli.strict", "--output", "json");
        assertThat(detail.exitCode()).isZero();
        assertThat(detail.out()).contains("\"rowsCount\" : 1");
    }

    @Test
    void usageErrorsExitTwoAndApiErrorsExitOne() {
        CliRun noToken = CliRun.run(null, null, "bucket", "list", "--storage-api-host=" + server.url());
        assertThat(noToken.exitCode()).isEqualTo(2);
        assertThat(noToken.err()).contains("token");
        CliRun badFlag = granary("table", "list", "--no-such-flag");
        assertThat(badFlag.exitCode()).isEqualTo(2);
        CliRun wrongToken = CliRun.run(server.url(), "nope", "bucket", "list");
        assertThat(wrongToken.exitCode()).isEqualTo(1);
        assertThat(wrongToken.err()).contains("Invalid access token");
        CliRun missing = granary("table", "detail", "in.c-cli.missing");
        assertThat(missing.exitCode()).isEqualTo(1);
        assertThat(missing.err()).contains("was not found");
        assertThat(granary("job", "wait", "--help").exitCode()).isZero();
    }

    private static String firstLine(Path file) throws IOException {
        try (BufferedReader r = Files.newBufferedReader(file)) {
            return r.readLine();
        }
    }

    /** Order-independent digest of the data lines (header skipped): count and sum of CRC32s. */
    private static String lineChecksum(Path file) throws IOException {
        long count = 0;
        long sum = 0;
        try (BufferedReader r = Files.newBufferedReader(file)) {
            r.readLine();
            for (String line = r.readLine(); line != null; line = r.readLine()) {
                CRC32 crc = new CRC32();
                crc.update(line.getBytes(StandardCharsets.UTF_8));
                sum += crc.getValue() * 2654435761L + line.length();
                count++;
            }
        }
        return count + ":" + Long.toHexString(sum);
    }

    private static String sha256(Path file) throws Exception {
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buffer = new byte[1 << 16];
            for (int n = in.read(buffer); n > 0; n = in.read(buffer)) {
                md.update(buffer, 0, n);
            }
        }
        return HexFormat.of().formatHex(md.digest());
    }

    private static String sha256WithoutHeader(Path file) throws Exception {
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        try (InputStream in = Files.newInputStream(file)) {
            int b;
            while ((b = in.read()) != '\n' && b != -1) {
                // skip the header line
            }
            byte[] buffer = new byte[1 << 16];
            for (int n = in.read(buffer); n > 0; n = in.read(buffer)) {
                md.update(buffer, 0, n);
            }
        }
        return HexFormat.of().formatHex(md.digest());
    }
}
