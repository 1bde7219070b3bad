package io.granary.trino;

import io.granary.core.error.ErrorCode;
import io.granary.core.error.GranaryException;
import io.granary.core.model.FileType;
import io.granary.core.model.TableRef;
import io.granary.core.port.ExportTarget;
import io.granary.core.port.TableBackend;
import io.granary.core.port.TableBackend.ExportRequest;
import io.granary.core.port.TableBackend.ExportResult;
import io.granary.core.util.SlicePipeline;
import io.granary.jdbc.CsvParquet;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

/**
 * Exports of a Trino table in Granary's CSV format (every value quoted, {@code ""} for a quote, LF, no header;
 * each gzip slice a complete stream; at least one slice). An unordered export runs inside Trino, in parallel
 * on every worker, writing its slices straight under the target's key prefix ({@link TrinoExport}); an ordered
 * or limited one streams the rows over JDBC in order into local slices that are handed to the target, since
 * Trino's writers do not keep an order across files. Parquet goes the JDBC way too, each local CSV slice
 * converted by {@link CsvParquet}: Trino's Hive writer lower-cases column names, and the contract wants them as
 * the table has them.
 */
final class TrinoTableExport {

    private static final int BUFFER = 1 << 16;
    /** The timestamp as the other backends export it. */
    private static final String TIMESTAMP = "coalesce(format_datetime(" + TrinoSql.id(TableBackend.TIMESTAMP_COLUMN)
            + " AT TIME ZONE 'UTC', 'yyyy-MM-dd HH:mm:ss'), '')";

    private final TrinoTableBackend.Context ctx;
    private final SlicePipeline pipeline;
    private final long sliceBytes;

    TrinoTableExport(TrinoTableBackend.Context ctx, SlicePipeline pipeline, long sliceBytes) {
        this.ctx = ctx;
        this.pipeline = pipeline;
        this.sliceBytes = sliceBytes;
    }

    ExportResult export(TableRef table, ExportRequest request, ExportTarget target) throws SQLException {
        boolean parquet = request.fileType() == FileType.PARQUET;
        if (!parquet && request.fileType() != FileType.CSV) {
            throw new GranaryException(ErrorCode.NOT_IMPLEMENTED,
                    "Exports to " + request.fileType() + " are not implemented on the Trino backend yet.");
        }
        List<String> all;
        try (Connection c = ctx.client().connect()) {
            all = TrinoTables.columns(c, ctx.lake(), table);
        }
        List<String> columns = TrinoTables.pick(all, request.columns());
        List<String> outColumns = new ArrayList<>(columns);
        StringBuilder select = new StringBuilder("SELECT ").append(TrinoTables.reads(columns));
        if (request.includeTimestamp()) {
            select.append(", ").append(TIMESTAMP);
            outColumns.add(TableBackend.TIMESTAMP_COLUMN);
        }
        select.append(" FROM ").append(ctx.lake().table(table.bucketId(), table.name()))
                .append(TrinoTables.where(all, request.selection()));
        try {
            if (!parquet && request.orderBy().isEmpty() && request.limit() == null) {
                return inTrino(select.toString(), outColumns, request.gzip(), target);
            }
            if (!request.orderBy().isEmpty()) {
                List<String> order = new ArrayList<>();
                for (String col : TrinoTables.pick(all, request.orderBy())) {
                    order.add(TrinoSql.read(col));
                }
                select.append(" ORDER BY ").append(String.join(", ", order));
            }
            if (request.limit() != null) {
                select.append(" LIMIT ").append(Math.max(0, request.limit()));
            }
            SlicePipeline.Step step = parquet ? CsvParquet.step(outColumns, request.gzip())
                    : request.gzip() ? SlicePipeline.GZIP : SlicePipeline.KEEP;
            String extension = parquet ? ".parquet" : request.gzip() ? ".csv.gz" : ".csv";
            return overJdbc(select.toString(), outColumns, step, extension, target);
        } catch (IOException e) {
            throw new GranaryException(ErrorCode.INTERNAL, "Cannot write the export: " + e.getMessage(), e);
        }
    }

    private ExportResult inTrino(String select, List<String> columns, boolean gzip, ExportTarget target)
            throws SQLException {
        String id = UUID.randomUUID().toString().replace("-", "");
        String exportTable = ctx.lake().transientTable("export_" + id);
        List<String> names = new ArrayList<>();
        for (int i = 0; i < columns.size(); i++) {
            names.add(TrinoStaging.column(i));
        }
        // Trino writes into the directory keyPrefix + "/"; what it leaves there unnamed File Storage removes
        TrinoExport.Result result;
        try (Connection c = ctx.client().connect()) {
            result = TrinoExport.export(c, ctx.lake().hive, exportTable, names, select, target.store(),
                    target.keyPrefix() + "/", gzip ? TrinoExport.Format.CSV_GZIP : TrinoExport.Format.CSV);
        }
        return new ExportResult(result.slices(), result.rows(), List.copyOf(columns));
    }

    private ExportResult overJdbc(String select, List<String> columns, SlicePipeline.Step step, String extension,
            ExportTarget target) throws SQLException, IOException {
        Path outputDir = target.scratchDir();
        Files.createDirectories(outputDir);
        String prefix = "slice_" + UUID.randomUUID().toString().replace("-", "");
        List<CompletableFuture<String>> stored = new ArrayList<>();
        long rows = 0;
        OutputStream out = null;
        Path current = null;
        long written = 0;
        try (Connection c = ctx.client().connect(); Statement s = c.createStatement(); ResultSet r = s.executeQuery(select)) {
            int n = columns.size();
            while (r.next()) {
                if (out == null) {
                    current = outputDir.resolve(prefix + "_" + stored.size() + ".csv");
                    out = new BufferedOutputStream(Files.newOutputStream(current), BUFFER);
                    written = 0;
                }
                written += writeRow(out, r, n);
                rows++;
                if (written >= sliceBytes) {
                    out.close();
                    out = null;
                    stored.add(pipeline.submit(current, step, target, ExportTarget.sliceName(stored.size(), extension)));
                }
                if ((rows & 0xfff) == 0 && Thread.currentThread().isInterrupted()) {
                    throw new GranaryException(ErrorCode.JOB_INTERRUPTED, "The export was interrupted.");
                }
            }
            if (out != null) {
                out.close();
                out = null;
                stored.add(pipeline.submit(current, step, target, ExportTarget.sliceName(stored.size(), extension)));
            }
            if (stored.isEmpty()) {
                Path empty = Files.createFile(outputDir.resolve(prefix + "_0.csv"));
                stored.add(pipeline.submit(empty, step, target, ExportTarget.sliceName(0, extension)));
            }
        } catch (SQLException | IOException | RuntimeException e) {
            // the caller removes the scratch directory: no slice may still be finishing in it
            SlicePipeline.awaitQuietly(stored);
            throw e;
        } finally {
            if (out != null) {
                out.close();
            }
        }
        return new ExportResult(SlicePipeline.await(stored), rows, List.copyOf(columns));
    }

    private static long writeRow(OutputStream out, ResultSet r, int n) throws SQLException, IOException {
        long bytes = 0;
        for (int i = 1; i <= n; i++) {
            String v = r.getString(i);
            byte[] value = (v == null ? "" : v).replace("\"", "\"\"").getBytes(StandardCharsets.UTF_8);
            out.write('"');
            out.write(value);
            out.write('"');
            out.write(i == n ? '\n' : ',');
            bytes += value.length + 3;
        }
        return bytes;
    }
}
