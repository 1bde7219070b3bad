package io.granary.core.storage;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.granary.core.model.Workspace;

/**
 * How the API shows a workspace (without its password), for the results of the job that creates one. The HTTP
 * edge supplies it, as it does {@link TableView}.
 */
@FunctionalInterface
public interface WorkspaceView {

    ObjectNode render(Workspace workspace);
}
