package io.granary.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.granary.client.DownloadOptions;
import io.granary.client.FileUploadOptions;
import io.granary.client.StorageApiException;
import io.granary.client.StorageClient;
import io.granary.client.TableCreateOptions;
import io.granary.client.TableExportOptions;
import io.granary.client.TableImportOptions;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code granary table …}. */
@Command(name = "table", mixinStandardHelpOptions = true, description = "Load, export and inspect tables.",
        subcommands = {TableCommand.Upload.class, TableCommand.Download.class, TableCommand.ListTables.class,
            TableCommand.Detail.class, TableCommand.Preview.class, TableCommand.Delete.class})
final class TableCommand {

    private TableCommand() {
    }

    static String bucketOf(String tableId) {
        int second = tableId.indexOf('.', tableId.indexOf('.') + 1);
        if (tableId.indexOf('.') < 0 || second < 0) {
            throw new Connection.UsageException("\"" + tableId + "\" is not a table id like in.c-main.orders.");
        }
        return tableId.substring(0, second);
    }

    @Command(name = "upload", mixinStandardHelpOptions = true,
            description = "Load a CSV (may be .gz) into a table, creating the table (and its bucket) if needed.")
    static final class Upload implements Runnable {
        @Mixin
        Connection connection;
        @Parameters(index = "0", description = "Table id, e.g. in.c-main.orders.")
        String tableId;
        @Parameters(index = "1", description = "CSV file with a header.")
        Path file;
        @Option(names = "--primary-key", split = ",", description = "Primary key column(s) when the table is created.")
        List<String> primaryKey = List.of();
        @Option(names = "--incremental-load", description = "Append/upsert instead of replacing the rows.")
        boolean incremental;
        @Option(names = "--delimiter", defaultValue = ",")
        String delimiter;
        @Option(names = "--enclosure", defaultValue = "\"")
        String enclosure;
        @Option(names = "--sliced", description = "Split into slices uploaded in parallel.")
        boolean sliced;
        @Option(names = "--slice-size", defaultValue = "64MB", description = "Slice size, e.g. 64MB (default ${DEFAULT-VALUE}).")
        String sliceSize;
        @Option(names = "--parallelism", defaultValue = "4")
        int parallelism;

        @Override
        public void run() {
            String bucketId = bucketOf(tableId);
            String name = tableId.substring(bucketId.length() + 1);
            try (StorageClient client = connection.client(); Progress progress = new Progress("upload", connection.quiet)) {
                FileUploadOptions upload = FileUploadOptions.defaults().sliced(sliced).sliceSize(Sizes.parse(sliceSize))
                        .parallelism(parallelism).progress(progress).delimiter(delimiter.charAt(0))
                        .enclosure(enclosure.isEmpty() ? null : enclosure.charAt(0));
                boolean exists = exists(client, tableId);
                JsonNode result;
                if (!exists) {
                    ensureBucket(client, bucketId);
                    client.createTable(bucketId, name, file, TableCreateOptions.defaults().primaryKey(primaryKey)
                            .delimiter(delimiter).enclosure(enclosure), upload);
                    result = client.getTable(tableId);
                } else {
                    result = client.writeTable(tableId, file, TableImportOptions.defaults().incremental(incremental)
                            .delimiter(delimiter).enclosure(enclosure), upload);
                }
                progress.close();
                JsonNode table = client.getTable(tableId);
                Output.print(connection, result, tableId + ": " + table.path("rowsCount").asLong() + " rows");
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }

        static boolean exists(StorageClient client, String tableId) {
            try {
                client.getTable(tableId);
                return true;
            } catch (StorageApiException e) {
                if (e.status() == 404) {
                    return false;
                }
                throw e;
            }
        }

        static void ensureBucket(StorageClient client, String bucketId) {
            try {
                client.getBucket(bucketId);
            } catch (StorageApiException e) {
                if (e.status() != 404) {
                    throw e;
                }
                String stage = bucketId.substring(0, bucketId.indexOf('.'));
                String name = bucketId.substring(bucketId.indexOf('.') + 1).replaceFirst("^c-", "");
                client.createBucket(name, stage, null);
            }
        }
    }

    @Command(name = "download", mixinStandardHelpOptions = true, description = "Export a table to a CSV file with a header, or to a directory of Parquet files.")
    static final class Download implements Runnable {
        private static final Pattern WHERE = Pattern.compile("([^!=<>]+)(=|!=)(.*)");

        @Mixin
        Connection connection;
        @Parameters(description = "Table id.")
        String tableId;
        @Option(names = {"-o", "--output-file"}, required = true, description = "Where to write the CSV (with --format parquet: the directory).")
        Path output;
        @Option(names = "--columns", split = ",")
        List<String> columns;
        @Option(names = "--changed-since", description = "e.g. -1d, -2 hours, 2026-01-01T00:00:00Z.")
        String changedSince;
        @Option(names = "--where", description = "column=v1,v2 or column!=v1,v2.")
        String where;
        @Option(names = "--limit")
        Long limit;
        @Option(names = "--format", defaultValue = "csv", description = "csv (one file with a header) or parquet (a"
                + " directory of Parquet slices, every column a string).")
        String format;
        @Option(names = "--parallelism", defaultValue = "4")
        int parallelism;

        @Override
        public void run() {
            if (!format.equals("csv") && !format.equals("parquet")) {
                throw new Connection.UsageException("--format must be csv or parquet, not " + format + ".");
            }
            TableExportOptions options = TableExportOptions.defaults().columns(columns).limit(limit).gzip(true)
                    .fileType(format);
            if (changedSince != null) {
                options.changedSince(Sizes.relativeTime(changedSince));
            }
            if (where != null) {
                Matcher m = WHERE.matcher(where);
                if (!m.matches()) {
                    throw new Connection.UsageException("--where must look like column=v1,v2 or column!=v1,v2.");
                }
                options.where(m.group(1).strip(), Arrays.asList(m.group(3).split(",", -1)), m.group(2).equals("=") ? "eq" : "ne");
            }
            try (StorageClient client = connection.client(); Progress progress = new Progress("download", connection.quiet)) {
                JsonNode job = client.exportTable(tableId, output, options,
                        DownloadOptions.defaults().parallelism(parallelism).progress(progress).decompress(true));
                progress.close();
                Output.print(connection, job, null);
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List tables (of one bucket).")
    static final class ListTables implements Runnable {
        @Mixin
        Connection connection;
        @Parameters(arity = "0..1", description = "Bucket id.")
        String bucketId;

        @Override
        public void run() {
            try (StorageClient client = connection.client()) {
                Output.table(connection, client.listTables(bucketId), "id", "rowsCount", "lastImportDate");
            }
        }
    }

    @Command(name = "detail", mixinStandardHelpOptions = true, description = "Show a table.")
    static final class Detail implements Runnable {
        @Mixin
        Connection connection;
        @Parameters(description = "Table id.")
        String tableId;

        @Override
        public void run() {
            try (StorageClient client = connection.client()) {
                JsonNode t = client.getTable(tableId);
                Output.print(connection, t, t.path("id").asText() + "\ncolumns: " + t.path("columns") + "\nprimaryKey: "
                        + t.path("primaryKey") + "\nrows: " + t.path("rowsCount").asLong() + "\nlastImportDate: "
                        + t.path("lastImportDate").asText());
            }
        }
    }

    @Command(name = "preview", mixinStandardHelpOptions = true, description = "Print the first rows as CSV.")
    static final class Preview implements Runnable {
        @Mixin
        Connection connection;
        @Parameters(description = "Table id.")
        String tableId;
        @Option(names = "--limit", defaultValue = "100")
        int limit;

        @Override
        public void run() {
            try (StorageClient client = connection.client()) {
                JsonNode preview = client.previewTable(tableId, limit);
                if (connection.json()) {
                    Output.print(connection, preview, null);
                    return;
                }
                StringBuilder csv = new StringBuilder();
                List<String> header = new java.util.ArrayList<>();
                preview.path("columns").forEach(c -> header.add(c.asText()));
                appendCsv(csv, header);
                for (JsonNode row : preview.path("rows")) {
                    List<String> values = new java.util.ArrayList<>();
                    row.forEach(cell -> values.add(cell.path("value").asText()));
                    appendCsv(csv, values);
                }
                System.out.print(csv);
            }
        }

        private static void appendCsv(StringBuilder sb, List<String> values) {
            for (int i = 0; i < values.size(); i++) {
                sb.append(i == 0 ? "" : ",").append('"').append(values.get(i).replace("\"", "\"\"")).append('"');
            }
            sb.append('\n');
        }
    }

    @Command(name = "delete", mixinStandardHelpOptions = true, description = "Delete a table.")
    static final class Delete implements Runnable {
        @Mixin
        Connection connection;
        @Parameters(description = "Table id.")
        String tableId;

        @Override
        public void run() {
            try (StorageClient client = connection.client()) {
                client.dropTable(tableId);
            }
        }
    }
}
