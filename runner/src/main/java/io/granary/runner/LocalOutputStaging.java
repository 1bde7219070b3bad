package io.granary.runner;

import io.granary.client.FileUploadOptions;
import io.granary.client.StorageClient;
import io.granary.client.TableCreateOptions;
import io.granary.client.TableImportOptions;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;

/**
 * Output tables as files in {@code out/tables} (spec 3.2, 3.6): a CSV file, or a folder of slices (plain or gzip),
 * each uploaded to File Storage for the load.
 */
final class LocalOutputStaging implements OutputStaging {

    private final StorageClient client;
    private final DataFolder folder;

    LocalOutputStaging(StagingContext context) {
        this.client = context.client();
        this.folder = context.folder();
    }

    @Override
    public String name() {
        return "local";
    }

    @Override
    public List<OutputSource> sources(List<OutputTableMapping> mapping, boolean failedJob) {
        Set<String> data = new TreeSet<>();
        Set<String> manifests = new TreeSet<>();
        for (String n : listNames(folder.outTables(), false)) {
            (n.endsWith(".manifest") ? manifests : data).add(n);
        }
        List<String> orphans = new ArrayList<>();
        for (String m : manifests) {
            if (!data.contains(m.substring(0, m.length() - ".manifest".length()))) {
                orphans.add("\"" + m + "\"");
            }
        }
        if (!orphans.isEmpty() && !failedJob) {
            throw new UserException("Found orphaned table manifest: " + String.join(", ", orphans));
        }
        List<String> missing = new ArrayList<>();
        for (OutputTableMapping m : mapping) {
            String s = m.source();
            if (!data.contains(s) && !missing.contains("\"" + s + "\"")) {
                missing.add("\"" + s + "\"");
            }
        }
        if (!missing.isEmpty() && !failedJob) {
            throw new UserException("Table sources not found: " + String.join(", ", missing));
        }
        List<OutputSource> out = new ArrayList<>();
        for (String name : data) {
            Path manifest = folder.outTables().resolve(name + ".manifest");
            out.add(new OutputSource(name, Files.exists(manifest) ? manifest : null,
                    Files.isDirectory(folder.outTables().resolve(name)), List.of()));
        }
        return out;
    }

    @Override
    public TableData open(TableOutput output) throws IOException {
        Path path = folder.outTables().resolve(output.source());
        return output.sliced() ? new LocalTableData(output, concatSlices(path), true) : new LocalTableData(output, path, false);
    }

    /** The visible entries of a folder, sorted; {@code filesOnly} leaves out folders. */
    static List<String> listNames(Path dir, boolean filesOnly) {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> !p.getFileName().toString().startsWith("."))
                    .filter(p -> !filesOnly || Files.isRegularFile(p))
                    .map(p -> p.getFileName().toString()).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The slices of a sliced table (each plain or gzip) as one header-less temp file. */
    static Path concatSlices(Path dir) throws IOException {
        Path out = Files.createTempFile("granary-sliced-", ".csv");
        List<Path> slices;
        try (Stream<Path> s = Files.list(dir)) {
            slices = s.filter(Files::isRegularFile).filter(p -> !p.getFileName().toString().startsWith(".")).sorted().toList();
        }
        try (OutputStream os = Files.newOutputStream(out)) {
            for (Path slice : slices) {
                int last = -1;
                try (InputStream in = open(slice)) {
                    byte[] buf = new byte[1 << 16];
                    int n;
                    while ((n = in.read(buf)) > 0) {
                        os.write(buf, 0, n);
                        last = buf[n - 1];
                    }
                }
                if (last != -1 && last != '\n') {
                    os.write('\n');
                }
            }
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(out);
            throw e;
        }
        return out;
    }

    private static InputStream open(Path file) throws IOException {
        InputStream in = new BufferedInputStream(Files.newInputStream(file));
        in.mark(2);
        int b1 = in.read();
        int b2 = in.read();
        in.reset();
        return b1 == 0x1f && b2 == 0x8b ? new GZIPInputStream(in, 1 << 16) : in;
    }

    /** A file of {@code out/tables}, or the temp file its slices were joined into. */
    private final class LocalTableData implements TableData {

        private final TableOutput output;
        private final Path data;
        private final boolean temp;

        LocalTableData(TableOutput output, Path data, boolean temp) {
            this.output = output;
            this.data = data;
            this.temp = temp;
        }

        @Override
        public boolean empty() throws IOException {
            return Files.size(data) == 0;
        }

        @Override
        public void createTable(String bucketId, String name, TableCreateOptions options) throws IOException {
            client.createTableAsync(bucketId, name, upload(), options);
        }

        @Override
        public void importInto(String tableId, TableImportOptions options) throws IOException {
            client.writeTableAsync(tableId, upload(), options);
        }

        /** Gzipped unless it already is (7.8), with the output's tags. */
        private long upload() throws IOException {
            FileUploadOptions up = FileUploadOptions.defaults().compress(true).tags(output.tags());
            if (!data.getFileName().toString().equals(output.source())) {
                up.name(output.source() + ".gz");
            }
            return client.uploadFile(data, up);
        }

        @Override
        public void close() throws IOException {
            if (temp) {
                Files.deleteIfExists(data);
            }
        }
    }
}
