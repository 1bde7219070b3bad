package io.granary.client;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.zip.GZIPOutputStream;

/** The local files of transfers: gzip detection and compression into temp files, and removal of temp trees. */
final class TransferFiles {

    private TransferFiles() {
    }

    static boolean isGzip(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return in.read() == 0x1f && in.read() == 0x8b;
        }
    }

    /** Gzips {@code source} into a new temp file in {@code dir}, streaming. */
    static Path gzip(Path source, Path dir) throws IOException {
        Path gz = Files.createTempFile(dir, "granary-upload-", ".gz");
        try (InputStream in = Files.newInputStream(source);
                OutputStream out = new GZIPOutputStream(new BufferedOutputStream(Files.newOutputStream(gz),
                        S3Transfers.COPY_BUFFER), S3Transfers.COPY_BUFFER)) {
            in.transferTo(out);
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(gz);
            throw e;
        }
        return gz;
    }

    static void deleteTree(Path dir) {
        if (dir == null || !Files.exists(dir)) {
            return;
        }
        try (var walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    // best effort: a temp file another process holds open
                }
            });
        } catch (IOException e) {
            // best effort
        }
    }
}
