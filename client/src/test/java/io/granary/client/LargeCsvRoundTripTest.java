package io.granary.client;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.granary.server.support.EmbeddedGranary;
import java.io.BufferedInputStream;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * ~50 MB CSV with quoted newlines, commas and quotes: sliced + gzip + parallel upload, load, export, and the
 * exported rows compared with the original as a multiset (export order is not defined).
 */
class LargeCsvRoundTripTest {

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
    void slicedGzipUploadLoadAndExportKeepEveryRow() throws IOException {
        Path csv = tmp.resolve("big.csv");
        long rows = generate(csv, 50L * 1024 * 1024);
        long size = Files.size(csv);
        RecordDigest original = RecordDigest.of(csv, true);
        assertThat(original.count).isEqualTo(rows);

        client.createBucket("client-big", "in", null);
        AtomicLong uploaded = new AtomicLong();
        long t0 = System.nanoTime();
        String tableId = client.createTable("in.c-client-big", "rows", csv, TableCreateOptions.defaults()
                        .primaryKey(List.of("id")),
                FileUploadOptions.defaults().sliced(true).compress(true).parallelism(4).sliceSize(8L * 1024 * 1024)
                        .progress((d, t) -> uploaded.accumulateAndGet(d, Math::max)));
        long t1 = System.nanoTime();
        assertThat(uploaded.get()).isGreaterThan(size - 200); // source bytes minus the header line
        JsonNode table = client.getTable(tableId);
        assertThat(table.path("rowsCount").asLong()).isEqualTo(rows);
        assertThat(table.path("columns").toString()).isEqualTo("[\"id\",\"name\",\"note\",\"amount\"]");

        Path exported = tmp.resolve("export.csv");
        long t2 = System.nanoTime();
        JsonNode job = client.exportTable(tableId, exported, TableExportOptions.defaults(),
                DownloadOptions.defaults().parallelism(4));
        long t3 = System.nanoTime();
        assertThat(job.path("status").asText()).isEqualTo("success");
        assertThat(Files.readAllLines(exported).get(0)).isEqualTo("\"id\",\"name\",\"note\",\"amount\"");
        RecordDigest back = RecordDigest.of(exported, true);
        assertThat(back.count).isEqualTo(original.count);
        assertThat(back.sum).isEqualTo(original.sum);
        assertThat(back.xor).isEqualTo(original.xor);

        // the raw export file: sliced, and its slices merge in order into the same rows
        long fileId = job.path("results").path("file").path("id").asLong();
        assertThat(client.getFile(fileId, false).path("isSliced").asBoolean()).isTrue();
        double mb = size / 1024.0 / 1024.0;

        // pure transfers, without the server's load/export work: sliced gzip upload, then a plain download
        long t4 = System.nanoTime();
        long rawId = client.uploadFile(csv, FileUploadOptions.defaults().sliced(true).compress(true)
                .sliceSize(8L * 1024 * 1024));
        long t5 = System.nanoTime();
        Path rawBack = tmp.resolve("raw-back.csv");
        client.downloadFile(rawId, rawBack, DownloadOptions.defaults().decompress(true));
        long t6 = System.nanoTime();
        assertThat(Files.size(rawBack)).isEqualTo(size - "\"id\",\"name\",\"note\",\"amount\"\n".length());
        System.out.printf("50MB transfers: sliced gzip upload %.2f s (%.1f MB/s of CSV), download+gunzip+merge %.2f s "
                + "(%.1f MB/s)%n", (t5 - t4) / 1e9, mb / ((t5 - t4) / 1e9), (t6 - t5) / 1e9, mb / ((t6 - t5) / 1e9));
        System.out.printf("50MB round trip: %.1f MB, %d rows; upload+create+load %.2f s (%.1f MB/s); "
                        + "export+download+merge %.2f s (%.1f MB/s)%n", mb, rows, (t1 - t0) / 1e9, mb / ((t1 - t0) / 1e9),
                (t3 - t2) / 1e9, mb / ((t3 - t2) / 1e9));
    }

    /** Writes rows until the file reaches {@code target} bytes; every value quoted like Keboola's exports. */
    static long generate(Path csv, long target) throws IOException {
        Random r = new Random(42);
        long rows = 0;
        long bytes = 0;
        try (BufferedWriter w = Files.newBufferedWriter(csv, StandardCharsets.UTF_8)) {
            String header = "\"id\",\"name\",\"note\",\"amount\"\n";
            w.write(header);
            bytes += header.length();
            StringBuilder sb = new StringBuilder();
            while (bytes < target) {
                sb.setLength(0);
                sb.append('"').append(rows).append("\",\"name ").append(r.nextInt(100000)).append("\",\"");
                switch ((int) (rows % 4)) {
                    case 0 -> sb.append("line one\nline two, with comma");
                    // LF only: a quoted CRLF that begins a slice hits a server bug (see ServerBugsTest)
                    case 1 -> sb.append("she said \"\"hi\"\", then left\nok");
                    case 2 -> sb.append("plain ").append(Long.toHexString(r.nextLong()));
                    default -> sb.append("ünïcödé, ").append(r.nextInt());
                }
                sb.append("\",\"").append(r.nextInt(1_000_000)).append('.').append(r.nextInt(100)).append("\"\n");
                w.write(sb.toString());
                bytes += sb.length();
                rows++;
            }
        }
        return rows;
    }

    /** An order-independent digest of a CSV's records (quote-aware record split). */
    static final class RecordDigest {
        long count;
        long sum;
        long xor;

        static RecordDigest of(Path csv, boolean skipHeader) throws IOException {
            RecordDigest d = new RecordDigest();
            MessageDigest md;
            try {
                md = MessageDigest.getInstance("SHA-256");
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
            try (InputStream in = new BufferedInputStream(Files.newInputStream(csv), 1 << 16)) {
                boolean quoted = false;
                boolean header = skipHeader;
                boolean any = false;
                int b;
                while ((b = in.read()) != -1) {
                    if (b == '"') {
                        quoted = !quoted;
                    }
                    if (b == '\n' && !quoted) {
                        byte[] h = md.digest();
                        if (!header) {
                            long v = java.nio.ByteBuffer.wrap(h).getLong();
                            d.count++;
                            d.sum += v;
                            d.xor ^= v;
                        }
                        header = false;
                        any = false;
                        continue;
                    }
                    md.update((byte) b);
                    any = true;
                }
                if (any) {
                    throw new IllegalStateException("last record has no line end");
                }
            }
            return d;
        }
    }
}
