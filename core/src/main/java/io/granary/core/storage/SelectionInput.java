package io.granary.core.storage;

import java.util.List;

/**
 * Which rows, as a client asks: filters with their operators as spelled, and times as given. A use case
 * resolves it into the backend's {@code RowSelection} once, when it accepts the request.
 */
public record SelectionInput(List<Filter> filters, String changedSince, String changedUntil) {

    public static final SelectionInput ALL = new SelectionInput(List.of(), null, null);

    /** {@code whereColumn} / {@code whereValues} / {@code whereOperator}, or one entry of {@code whereFilters}. */
    public record Filter(String column, String operator, List<String> values) {
        public Filter {
            values = values == null ? List.of() : values;
        }
    }

    public SelectionInput {
        filters = filters == null ? List.of() : List.copyOf(filters);
    }

    /** Whether nothing narrows the selection (deleting it would empty the table). */
    public boolean selectsAll() {
        return filters.isEmpty() && (changedSince == null || changedSince.isBlank())
                && (changedUntil == null || changedUntil.isBlank());
    }
}
