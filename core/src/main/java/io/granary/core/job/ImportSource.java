package io.granary.core.job;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;

/**
 * Where a load reads its rows. Today a file in File Storage ({@code dataFileId}); a table in a workspace
 * ({@code dataWorkspaceId} + {@code dataObject}) is the next kind.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({@JsonSubTypes.Type(value = ImportSource.FileSource.class, name = "file")})
public sealed interface ImportSource {

    /** A file uploaded to File Storage: one CSV, or a sliced file with its manifest. */
    record FileSource(long fileId) implements ImportSource {
    }
}
