package io.granary.bench;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

/** Writes a deterministic CSV of about the requested size: 10 string columns, some quoted fields. */
final class CsvGenerator {

    private static final String[] WORDS = {"alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel",
        "india", "juliet", "kilo", "lima", "mike", "november", "oscar", "papa"};

    private CsvGenerator() {
    }

    /** Returns the number of data rows written. */
    static long write(Path file, long targetBytes) throws IOException {
        Random random = new Random(42);
        long rows = 0;
        long bytes = 0;
        try (BufferedWriter w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            String header = "id,c2,c3,c4,c5,c6,c7,c8,c9,c10\n";
            w.write(header);
            bytes += header.length();
            StringBuilder line = new StringBuilder(256);
            while (bytes < targetBytes) {
                line.setLength(0);
                line.append(rows);
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
                w.append(line);
                bytes += line.length();
                rows++;
            }
        }
        return rows;
    }
}
