package io.granary.core.model;

/** Where a table lives: its bucket id ({@code in.c-main}) and its name ({@code orders}). */
public record TableRef(String bucketId, String name) {

    public String tableId() {
        return bucketId + "." + name;
    }

    /** Splits {@code in.c-main.orders} into bucket and name; null when it has no table part. */
    public static TableRef parse(String tableId) {
        if (tableId == null) {
            return null;
        }
        int first = tableId.indexOf('.');
        int second = first < 0 ? -1 : tableId.indexOf('.', first + 1);
        if (second < 0 || second == tableId.length() - 1) {
            return null;
        }
        return new TableRef(tableId.substring(0, second), tableId.substring(second + 1));
    }
}
