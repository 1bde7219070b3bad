package io.granary.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.granary.client.DownloadOptions;
import io.granary.client.FileUploadOptions;
import io.granary.client.StorageClient;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code granary file …}. */
@Command(name = "file", mixinStandardHelpOptions = true, description = "Upload, download and list files.",
        subcommands = {FileCommand.Upload.class, FileCommand.Download.class, FileCommand.ListFiles.class,
            FileCommand.Detail.class, FileCommand.Delete.class})
final class FileCommand {

    private FileCommand() {
    }

    @Command(name = "upload", mixinStandardHelpOptions = true, description = "Upload a file; prints its id.")
    static final class Upload implements Runnable {
        @Mixin
        Connection connection;
        @Parameters(description = "The file.")
        Path file;
        @Option(names = "--name", description = "Name in File Storage (default: the file name).")
        String name;
        @Option(names = "--tags", split = ",")
        List<String> tags = List.of();
        @Option(names = "--permanent")
        boolean permanent;
        @Option(names = "--sliced", description = "Split a CSV into slices (no header) uploaded in parallel.")
        boolean sliced;
        @Option(names = "--slice-size", defaultValue = "64MB")
        String sliceSize;
        @Option(names = "--compress", description = "gzip the file (each slice) while uploading.")
        boolean compress;
        @Option(names = "--parallelism", defaultValue = "4")
        int parallelism;

        @Override
        public void run() {
            try (StorageClient client = connection.client(); Progress progress = new Progress("upload", connection.quiet)) {
                FileUploadOptions options = FileUploadOptions.defaults().tags(tags).isPermanent(permanent).sliced(sliced)
                        .sliceSize(Sizes.parse(sliceSize)).compress(compress).parallelism(parallelism).progress(progress);
                if (name != null) {
                    options.name(name);
                }
                long id = client.uploadFile(file, options);
                progress.close();
                Output.print(connection, client.getFile(id, false), String.valueOf(id));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    @Command(name = "download", mixinStandardHelpOptions = true,
            description = "Download a file; slices of a sliced file are merged in order.")
    static final class Download implements Runnable {
        @Mixin
        Connection connection;
        @Parameters(description = "File id.")
        long fileId;
        @Option(names = {"-o", "--output-file"}, required = true)
        Path output;
        @Option(names = "--decompress", description = "gunzip gzip slices while merging.")
        boolean decompress;
        @Option(names = "--parallelism", defaultValue = "4")
        int parallelism;

        @Override
        public void run() {
            try (StorageClient client = connection.client(); Progress progress = new Progress("download", connection.quiet)) {
                client.downloadFile(fileId, output, DownloadOptions.defaults().parallelism(parallelism).progress(progress)
                        .decompress(decompress));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List files, newest first.")
    static final class ListFiles implements Runnable {
        @Mixin
        Connection connection;
        @Option(names = "--tags", split = ",", description = "Files having any of these tags.")
        List<String> tags = List.of();
        @Option(names = "--limit", defaultValue = "100")
        int limit;
        @Option(names = "--offset", defaultValue = "0")
        int offset;

        @Override
        public void run() {
            try (StorageClient client = connection.client()) {
                Output.table(connection, client.listFiles(tags, limit, offset), "id", "name", "sizeBytes", "created", "tags");
            }
        }
    }

    @Command(name = "detail", mixinStandardHelpOptions = true, description = "Show a file.")
    static final class Detail implements Runnable {
        @Mixin
        Connection connection;
        @Parameters(description = "File id.")
        long fileId;

        @Override
        public void run() {
            try (StorageClient client = connection.client()) {
                JsonNode f = client.getFile(fileId, false);
                Output.print(connection, f, f.toPrettyString());
            }
        }
    }

    @Command(name = "delete", mixinStandardHelpOptions = true, description = "Delete a file.")
    static final class Delete implements Runnable {
        @Mixin
        Connection connection;
        @Parameters(description = "File id.")
        long fileId;

        @Override
        public void run() {
            try (StorageClient client = connection.client()) {
                client.deleteFile(fileId);
            }
        }
    }
}
