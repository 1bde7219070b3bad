package io.granary.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Everything one run measured: every single timing ({@link Measurement}) and one summary {@link Row} per
 * scenario variant, as the table shows it. Thread-safe.
 */
final class Measurements {

    /** Granary or the raw engine it is compared with. */
    enum Side { GRANARY, RAW }

    /**
     * One timed operation.
     *
     * @param detail extra numbers (split of the time, rows, bytes), by name
     */
    record Measurement(String scenario, String variant, Side side, int run, double value, String unit,
            Map<String, Object> detail) {
    }

    /**
     * One line of the table. {@code granary} or {@code raw} is null when that side cannot do it (the note says
     * why). {@code serverPeakRssBytes} is the Granary server's peak resident memory during the variant.
     */
    record Row(String scenario, String variant, String unit, Double granary, Double raw, Long serverPeakRssBytes,
            String note) {

        /** How many times slower Granary is (below 1: faster); null when a side is missing. */
        Double ratio() {
            if (granary == null || raw == null || granary == 0 || raw == 0) {
                return null;
            }
            return unit.endsWith("/s") ? raw / granary : granary / raw;
        }
    }

    private final List<Measurement> measurements = new ArrayList<>();
    private final List<Row> rows = new ArrayList<>();

    synchronized void add(String scenario, String variant, Side side, int run, double value, String unit,
            Map<String, Object> detail) {
        measurements.add(new Measurement(scenario, variant, side, run, value, unit,
                detail == null ? Map.of() : new LinkedHashMap<>(detail)));
    }

    synchronized void row(Row row) {
        rows.add(row);
        Log.info("%s / %s: Granary %s, raw %s %s", row.scenario(), row.variant(), fmt(row.granary()), fmt(row.raw()),
                row.unit());
    }

    /** Medians of the measurements of one variant, as a row. */
    synchronized Row summarize(String scenario, String variant, String unit, Long rssBytes, String note) {
        Double granary = median(scenario, variant, Side.GRANARY);
        Double raw = median(scenario, variant, Side.RAW);
        Row row = new Row(scenario, variant, unit, granary, raw, rssBytes, note);
        row(row);
        return row;
    }

    synchronized List<Measurement> measurements() {
        return List.copyOf(measurements);
    }

    synchronized List<Row> rows() {
        return List.copyOf(rows);
    }

    private Double median(String scenario, String variant, Side side) {
        List<Double> values = new ArrayList<>();
        for (Measurement m : measurements) {
            if (m.scenario().equals(scenario) && m.variant().equals(variant) && m.side() == side) {
                values.add(m.value());
            }
        }
        return values.isEmpty() ? null : Timer.median(values);
    }

    private static String fmt(Double v) {
        return v == null ? "-" : String.format("%.3f", v);
    }
}
