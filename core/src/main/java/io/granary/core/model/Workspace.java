package io.granary.core.model;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A workspace as the catalog keeps it: an isolated SQL place with its own login, made by a workspace backend.
 * {@code name} is its schema (or file) name, {@code WORKSPACE_<id>}. {@code connection} holds the fields a client
 * connects with ({@code backend}, {@code host}, {@code port}, {@code database}, {@code schema}, {@code user}, …, in
 * the backend's order), never the password, which is not kept anywhere. {@code component} and
 * {@code configurationId} are labels of a workspace created for a configuration (null otherwise).
 */
public record Workspace(
        long id,
        String name,
        String backend,
        String component,
        String configurationId,
        boolean readOnlyStorageAccess,
        Map<String, String> connection,
        long creatorTokenId,
        String creatorTokenDescription,
        Instant created) {

    public Workspace {
        connection = connection == null ? Map.of() : java.util.Collections.unmodifiableMap(new LinkedHashMap<>(connection));
        if (connection.containsKey("password")) {
            throw new IllegalArgumentException("a workspace record never holds its password");
        }
    }

    /** The schema (or file) name of workspace {@code id}: {@code WORKSPACE_<id>}, as Keboola names them. */
    public static String nameOf(long id) {
        return "WORKSPACE_" + id;
    }

    /** Whether {@code caller} may see and use this workspace: its creator and the master token. */
    public boolean visibleTo(Token caller) {
        return caller.isMasterToken() || caller.id() == creatorTokenId;
    }
}
