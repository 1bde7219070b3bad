package io.granary.core.storage;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.granary.core.model.Bucket;
import io.granary.core.model.Table;

/**
 * How the API shows a table, for the results of jobs that change one. The HTTP edge supplies it: it knows
 * the public address in every resource's {@code uri}.
 */
@FunctionalInterface
public interface TableView {

    ObjectNode render(Table table, Bucket bucket);
}
