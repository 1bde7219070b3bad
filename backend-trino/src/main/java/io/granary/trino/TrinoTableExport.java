package io.granary.trino;

import io.granary.core.error.ErrorCode;
import io.granary.core.error.GranaryException;
import io.granary.core.model.TableRef;
import io.granary.core.port.TableBackend;
import io.granary.core.port.TableBackend.ExportRequest;
import io.granary.core.port.TableBackend.ExportResult;
import io.granary.core.util.SliceGzip;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
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
 * on every worker, writing its slices into the object store ({@link TrinoExport}); an ordered or limited one
 * streams the rows over JDBC in order and Granary writes the slices, since Trino's writers do not keep an order
 * across files.
 */
final class TrinoTableExport {

    private static final int BUFFER = 1 << 16;
    /** The timestamp as the other backends export it. */
    private static final String TIMESTAMP = "coalesce(format_datetime(" + TrinoSql.id(TableBackend.TIMESTAMP_COLUMN)
            + " AT TIME ZONE 'UTC', 'yyyy-MM-dd HH:mm:ss'), '')";

    private final TrinoTableBackend.Context ctx;
    private final SliceGzip compressor;
    private final long sliceBytes;

    TrinoTableExport(TrinoTableBackend.Context ctx, SliceGzip compressor, long sliceBytes) {
        this.ctx = ctx;
        this.compressor = compressor;
        this.sliceBytes = sliceBytes;
    }

    ExportResult export(TableRef table, ExportRequest request, Path outputDir) throws SQLException {
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
            Files.createDirectories(outputDir);
            if (request.orderBy().isEmpty() && request.limit() == null) {
                return inTrino(select.toString(), outColumns, request.gzip(), outputDir);
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
            return overJdbc(select.toString(), outColumns, request.gzip(), outputDir);
        } catch (IOException e) {
            throw new GranaryException(ErrorCode.INTERNAL, "Cannot write the export: " + e.getMessage(), e);
        }
    }

    private ExportResult inTrino(String select, List<String> columns, boolean gzip, Path outputDir)
            throws SQLException, IOException {
        String id = UUID.randomUUID().toString().replace("-", "");
        String prefix = TrinoLake.STAGING + "export-" + id + "/";
        String exportTable = ctx.lake().transientTable("export_" + id);
        List<String> names = new ArrayList<>();
        for (int i = 0; i < columns.size(); i++) {
            names.add(TrinoStaging.column(i));
        }
        try {
            TrinoExport.Result result;
            try (Connection c = ctx.client().connect()) {
                result = TrinoExport.export(c, ctx.lake().hive, exportTable, names, select, ctx.store(), prefix,
                        gzip ? TrinoExport.Format.CSV_GZIP : TrinoExport.Format.CSV);
            }
            List<Path> slices = new ArrayList<>();
            for (String key : result.slices()) {
                Path slice = outputDir.resolve("slice_" + id + "_" + slices.size() + (gzip ? ".csv.gz" : ".csv"));
                try (InputStream in = ctx.store().open(key).orElseThrow(() -> new IOException("slice " + key + " is gone"))) {
                    Files.copy(in, slice);
                }
                slices.add(slice);
            }
            return new ExportResult(List.copyOf(slices), result.rows(), List.copyOf(columns));
        } finally {
            ctx.cleanup(exportTable, prefix);
        }
    }

    private ExportResult overJdbc(String select, List<String> columns, boolean gzip, Path outputDir)
            throws SQLException, IOException {
        String prefix = "slice_" + UUID.randomUUID().toString().replace("-", "");
        List<Path> plain = new ArrayList<>();
        List<CompletableFuture<Path>> compressed = new ArrayList<>();
        long rows = 0;
        OutputStream out = null;
        long written = 0;
        try (Connection c = ctx.client().connect(); Statement s = c.createStatement(); ResultSet r = s.executeQuery(select)) {
            int n = columns.size();
            while (r.next()) {
                if (out == null) {
                    Path slice = outputDir.resolve(prefix + "_" + plain.size() + ".csv");
                    plain.add(slice);
                    out = new BufferedOutputStream(Files.newOutputStream(slice), BUFFER);
                    written = 0;
                }
                written += writeRow(out, r, n);
                rows++;
                if (written >= sliceBytes) {
                    out.close();
                    out = null;
                    if (gzip) {
                        compressed.add(compressor.submit(plain.get(plain.size() - 1)));
                    }
                }
                if ((rows & 0xfff) == 0 && Thread.currentThread().isInterrupted()) {
                    throw new GranaryException(ErrorCode.JOB_INTERRUPTED, "The export was interrupted.");
                }
            }
        } catch (SQLException | IOException | RuntimeException e) {
            // the caller removes the output directory: no compression may still be writing into it
            for (CompletableFuture<Path> f : compressed) {
                try {
                    f.join();
                } catch (RuntimeException ignored) {
                    // the export fails with e
                }
            }
            throw e;
        } finally {
            if (out != null) {
                out.close();
            }
        }
        if (plain.isEmpty()) {
            plain.add(Files.createFile(outputDir.resolve(prefix + "_0.csv")));
        }
        if (!gzip) {
            return new ExportResult(List.copyOf(plain), rows, List.copyOf(columns));
        }
        for (int i = compressed.size(); i < plain.size(); i++) {
            compressed.add(compressor.submit(plain.get(i)));
        }
        return new ExportResult(SliceGzip.await(compressed), rows, List.copyOf(columns));
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
