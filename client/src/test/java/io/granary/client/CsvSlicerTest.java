package io.granary.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CsvSlicerTest {

    @TempDir
    Path tmp;

    @Test
    void cutsOnlyOnRecordBoundariesAndDropsTheHeader() throws IOException {
        StringBuilder body = new StringBuilder();
        for (int i = 0; i < 500; i++) {
            body.append('"').append(i).append("\",\"multi\nline, \"\"quoted\"\"\n").append(i).append("\",plain\n");
        }
        Path csv = Files.writeString(tmp.resolve("in.csv"), "\"id\",\"note, with comma\",x\n" + body);
        for (boolean gzip : new boolean[] {false, true}) {
            List<String> slices = new ArrayList<>();
            try (CsvSlicer slicer = new CsvSlicer(csv, ',', '"', 700, gzip, tmp)) {
                assertThat(slicer.header()).containsExactly("id", "note, with comma", "x");
                CsvSlicer.Slice s;
                while ((s = slicer.next()) != null) {
                    slices.add(read(s.file(), gzip));
                    Files.delete(s.file());
                }
            }
            assertThat(slices.size()).isGreaterThan(10);
            assertThat(String.join("", slices)).isEqualTo(body.toString());
            for (String slice : slices) {
                // every slice is whole records: starts a record, ends with a record's LF
                assertThat(slice).startsWith("\"").endsWith(",plain\n");
                assertThat(slice.chars().filter(c -> c == '"').count() % 2).isZero();
            }
        }
    }

    @Test
    void headerOnlyFileGivesOneEmptySlice() throws IOException {
        Path csv = Files.writeString(tmp.resolve("h.csv"), "a,b\r\n");
        try (CsvSlicer slicer = new CsvSlicer(csv, ',', '"', 10, false, tmp)) {
            assertThat(slicer.header()).containsExactly("a", "b");
            CsvSlicer.Slice s = slicer.next();
            assertThat(Files.size(s.file())).isZero();
            assertThat(slicer.next()).isNull();
        }
    }

    @Test
    void readsHeaderOfGzipFileAndStripsBom() throws IOException {
        Path gz = tmp.resolve("x.csv.gz");
        try (var out = new GZIPOutputStream(Files.newOutputStream(gz))) {
            out.write(new byte[] {(byte) 0xef, (byte) 0xbb, (byte) 0xbf});
            out.write("\"a\"\"b\",c\n1,2\n".getBytes(StandardCharsets.UTF_8));
        }
        assertThat(CsvFiles.readHeader(gz)).containsExactly("a\"b", "c");
    }

    static String read(Path file, boolean gzip) throws IOException {
        try (InputStream in = gzip ? new GZIPInputStream(Files.newInputStream(file)) : Files.newInputStream(file)) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            in.transferTo(out);
            return out.toString(StandardCharsets.UTF_8);
        }
    }
}
