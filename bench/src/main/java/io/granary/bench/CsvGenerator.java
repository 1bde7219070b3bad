package io.granary.bench;

import java.io.BufferedOutputStream;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.zip.Deflater;
import java.util.zip.GZIPOutputStream;

/**
 * Writes deterministic CSV data: an {@code id} and 9 string columns, about 20 % of the fields quoted
 * (with a comma or doubled quotes inside). Quoted fields never hold a line break, so a file can be cut
 * into slices at any line end.
 */
final class CsvGenerator {

    static final List<String> COLUMNS = List.of("id", "c2", "c3", "c4", "c5", "c6", "c7", "c8", "c9", "c10");
    static final String HEADER = String.join(",", COLUMNS) + "\n";

    private static final String[] WORDS = {"alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel",
        "india", "juliet", "kilo", "lima", "mike", "november", "oscar", "papa"};

    private CsvGenerator() {
    }

    /** Writes rows with ids 0, 1, … until the file reaches about {@code targetBytes}; returns the row count. */
    static long write(Path file, long targetBytes) throws IOException {
        return write(file, targetBytes, 1, null);
    }

    /**
     * Writes {@code file} (with a header) of about {@code targetBytes} and, when {@code sliceDir} is given, the
     * same rows again as {@code slices} header-less files of about equal size in it, in the same pass.
     */
    static long write(Path file, long targetBytes, int slices, Path sliceDir) throws IOException {
        Random random = new Random(42);
        long rows = 0;
        long bytes = HEADER.length();
        long sliceBytes = Math.max(1, targetBytes / Math.max(1, slices));
        List<Writer> sliceWriters = new ArrayList<>();
        try (Writer w = writer(file)) {
            if (sliceDir != null) {
                Files.createDirectories(sliceDir);
                for (int i = 0; i < slices; i++) {
                    sliceWriters.add(writer(sliceDir.resolve(String.format("part%02d.csv", i))));
                }
            }
            w.write(HEADER);
            StringBuilder line = new StringBuilder(256);
            while (bytes < targetBytes) {
                line.setLength(0);
                row(line, rows, random);
                w.append(line);
                if (sliceDir != null) {
                    int slice = (int) Math.min(slices - 1, (bytes - HEADER.length()) / sliceBytes);
                    sliceWriters.get(slice).append(line);
                }
                bytes += line.length();
                rows++;
            }
        } finally {
            for (Writer sw : sliceWriters) {
                sw.close();
            }
        }
        return rows;
    }

    /** Writes a file with a header and one row for each id, in the given order; {@code seed} picks the values. */
    static void writeIds(Path file, long[] ids, long seed) throws IOException {
        Random random = new Random(seed);
        try (Writer w = writer(file)) {
            w.write(HEADER);
            StringBuilder line = new StringBuilder(256);
            for (long id : ids) {
                line.setLength(0);
                row(line, id, random);
                w.append(line);
            }
        }
    }

    /** Gzips {@code source} into {@code target} at the fastest level (decompression speed does not depend on it). */
    static void gzip(Path source, Path target) throws IOException {
        try (InputStream in = Files.newInputStream(source);
                OutputStream out = new GZIPOutputStream(new BufferedOutputStream(Files.newOutputStream(target), 1 << 16),
                        1 << 16) {
                    {
                        def.setLevel(Deflater.BEST_SPEED);
                    }
                }) {
            in.transferTo(out);
        }
    }

    private static Writer writer(Path file) throws IOException {
        return new BufferedWriter(Files.newBufferedWriter(file, StandardCharsets.UTF_8), 1 << 16);
    }

    private static void row(StringBuilder line, long id, Random random) {
        line.append(id);
        for (int c = 2; c <= 10; c++) {
            line.append(',');
            String a = WORDS[random.nextInt(WORDS.length)];
            String b = WORDS[random.nextInt(WORDS.length)];
            switch (random.nextInt(10)) {
                case 0 -> line.append('"').append(a).append(", ").append(b).append('"');
                case 1 -> line.append("\"say \"\"").append(a).append("\"\"\"");
                default -> line.append(a).append('-').append(random.nextInt(100_000));
            }
        }
        line.append('\n');
    }
}
