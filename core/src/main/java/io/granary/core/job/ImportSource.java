package io.granary.core.job;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;

/**
 * Where a load reads its rows: a file in File Storage ({@code dataFileId}) or a table in a workspace
 * ({@code dataWorkspaceId} + {@code dataObject}).
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({@JsonSubTypes.Type(value = ImportSource.FileSource.class, name = "file"),
        @JsonSubTypes.Type(value = ImportSource.WorkspaceSource.class, name = "workspace")})
public sealed interface ImportSource {

    /** A file uploaded to File Storage: one CSV, or a sliced file with its manifest. */
    record FileSource(long fileId) implements ImportSource {
    }

    /** A table (or view) {@code object} of a workspace, as the workspace's engine names it. */
    record WorkspaceSource(long workspaceId, String object) implements ImportSource {
    }
}
