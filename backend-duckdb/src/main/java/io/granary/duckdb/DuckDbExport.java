package io.granary.duckdb;

import static io.granary.duckdb.DuckDbTables.lit;
import static io.granary.duckdb.DuckDbTables.q;

import io.granary.core.model.FileType;
import io.granary.core.model.TableRef;
import io.granary.core.port.TableBackend;
import io.granary.core.port.TableBackend.ExportRequest;
import io.granary.core.port.TableBackend.ExportResult;
import io.granary.core.port.ExportTarget;
import io.granary.core.util.SlicePipeline;
import io.granary.jdbc.SqlValues;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An export through DuckDB's {@code COPY ... TO}: plain CSV slices (every value quoted, LF, no header) or Parquet
 * slices (every column a string) in the target's scratch directory, rotated by size unless the export is ordered or
 * limited, then (CSV) gzipped in parallel here when asked and handed over to the target (on the embedded store:
 * moved in place).
 */
final class DuckDbExport {

    private static final Pattern SLICE_INDEX = Pattern.compile("_(\\d+)\\.(csv|parquet)$");

    private DuckDbExport() {
    }

    static ExportResult run(Connection c, TableRef table, ExportRequest request, ExportTarget target, long sliceBytes,
            SlicePipeline pipeline) throws SQLException, IOException {
        Path outputDir = target.scratchDir();
        List<String> all = DuckDbTables.columns(c, table);
        List<String> columns = DuckDbTables.pick(all, request.columns());
        SqlValues values = SqlValues.parameters(DuckDbTables.DIALECT);
        StringBuilder sql = new StringBuilder("SELECT ").append(DuckDbTables.list(columns));
        List<String> outColumns = new ArrayList<>(columns);
        if (request.includeTimestamp()) {
            sql.append(", strftime(").append(q(TableBackend.TIMESTAMP_COLUMN)).append(", '%Y-%m-%d %H:%M:%S') AS ")
                    .append(q(TableBackend.TIMESTAMP_COLUMN));
            outColumns.add(TableBackend.TIMESTAMP_COLUMN);
        }
        sql.append(" FROM ").append(DuckDbTables.name(table)).append(DuckDbTables.where(all, request.selection(), values));
        List<String> orderBy = request.orderBy().isEmpty() ? List.of() : DuckDbTables.pick(all, request.orderBy());
        if (!orderBy.isEmpty()) {
            sql.append(" ORDER BY ").append(DuckDbTables.list(orderBy));
        }
        if (request.limit() != null) {
            sql.append(" LIMIT ").append(Math.max(0, request.limit()));
        }
        Files.createDirectories(outputDir);
        boolean parquet = request.fileType() == FileType.PARQUET;
        String extension = parquet ? ".parquet" : ".csv";
        String prefix = "slice_" + UUID.randomUUID().toString().replace("-", "");
        // DuckDB's own gzip runs at ~10 MB/s (a 1 GiB export took 110 s against 4 s plain): write plain
        // CSV slices and compress them in parallel here. Parquet compresses its pages itself.
        String options = parquet ? "FORMAT parquet, COMPRESSION " + (request.gzip() ? "snappy" : "uncompressed")
                : "FORMAT csv, HEADER false, DELIMITER ',', QUOTE '\"', ESCAPE '\"', FORCE_QUOTE *, COMPRESSION none";
        // DuckDB's size-based rotation writes rows of one slice in parallel, losing order: an ordered
        // or limited export goes to one file, which keeps the order.
        boolean ordered = !orderBy.isEmpty() || request.limit() != null;
        long cut = SlicePipeline.plainSliceBytes(sliceBytes, request.gzip() && !parquet);
        long rows = copy(c, sql.toString(), values, ordered ? outputDir.resolve(prefix + "_0" + extension) : null,
                outputDir, options + (ordered ? "" : ", FILE_SIZE_BYTES " + cut + ", FILENAME_PATTERN "
                        + lit(prefix + "_{i}") + ", OVERWRITE_OR_IGNORE true"));
        List<Path> slices = slices(outputDir, prefix);
        if (slices.isEmpty()) {
            Path empty = outputDir.resolve(prefix + "_0" + extension);
            if (parquet) {
                // a Parquet file with the columns and no rows, so a reader still learns the schema
                copy(c, "SELECT * FROM (" + sql + ") LIMIT 0", values, empty, outputDir, options);
            } else {
                Files.createFile(empty);
            }
            slices = List.of(empty);
        }
        boolean gzip = request.gzip() && !parquet;
        SlicePipeline.Step step = gzip ? SlicePipeline.GZIP : SlicePipeline.KEEP;
        String finalExtension = gzip ? ".csv.gz" : extension;
        List<CompletableFuture<String>> stored = new ArrayList<>();
        try {
            for (int i = 0; i < slices.size(); i++) {
                stored.add(pipeline.submit(slices.get(i), step, target, ExportTarget.sliceName(i, finalExtension)));
            }
        } catch (RuntimeException e) {
            SlicePipeline.awaitQuietly(stored);
            throw e;
        }
        return new ExportResult(SlicePipeline.await(stored), Math.max(rows, 0), List.copyOf(outColumns));
    }

    // COPY (query) TO file, or TO the directory when file is null; returns the rows written
    private static long copy(Connection c, String query, SqlValues values, Path file, Path dir, String options)
            throws SQLException {
        String copy = "COPY (" + query + ") TO " + lit((file == null ? dir : file).toAbsolutePath().toString()) + " ("
                + options + ")";
        try (PreparedStatement ps = values.bind(c.prepareStatement(copy))) {
            ps.execute();
            return ps.getUpdateCount();
        }
    }

    private static List<Path> slices(Path dir, String prefix) throws IOException {
        List<Path> out = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, prefix + "_*")) {
            ds.forEach(out::add);
        }
        out.sort((a, b) -> Long.compare(sliceIndex(a), sliceIndex(b)));
        return out;
    }

    private static long sliceIndex(Path p) {
        Matcher m = SLICE_INDEX.matcher(p.getFileName().toString());
        return m.find() ? Long.parseLong(m.group(1)) : Long.MAX_VALUE;
    }
}
