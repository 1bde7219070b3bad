package io.granary.core.job;

/** Drop a table with its rows and metadata; nothing happens when it is already gone. */
public record TableDropRequest(String tableId) {
}
