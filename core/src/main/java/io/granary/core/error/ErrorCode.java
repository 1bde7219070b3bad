package io.granary.core.error;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.HashMap;
import java.util.Map;

/**
 * A Keboola error code: the dotted string clients read from {@code code}, the HTTP status it is
 * answered with, and whether it is the caller's fault (user errors are not logged as failures).
 */
public record ErrorCode(String code, int status, boolean userError) {

    public static final ErrorCode TOKEN_INVALID = user("storage.tokenInvalid", 401);
    public static final ErrorCode ACCESS_DENIED = user("accessDenied", 403);
    public static final ErrorCode VALIDATION = user("storage.validation", 400);
    public static final ErrorCode ROUTE_NOT_FOUND = user("storage.routeNotFound", 404);
    public static final ErrorCode METHOD_NOT_ALLOWED = user("storage.methodNotAllowed", 405);
    public static final ErrorCode NOT_IMPLEMENTED = user("storage.notImplemented", 501);

    public static final ErrorCode TOKENS_NOT_FOUND = user("storage.tokens.notFound", 404);
    public static final ErrorCode TOKENS_VALIDATION = user("storage.tokens.validation", 400);
    public static final ErrorCode TOKENS_INVALID_PERMISSIONS = user("storage.tokens.invalidPermissions", 400);

    public static final ErrorCode BUCKETS_NOT_FOUND = user("storage.buckets.notFound", 404);
    public static final ErrorCode BUCKETS_ALREADY_EXISTS = user("storage.buckets.alreadyExists", 400);
    public static final ErrorCode BUCKETS_VALIDATION = user("storage.buckets.validation", 400);
    public static final ErrorCode BUCKETS_DELETE_NOT_EMPTY = user("buckets.deleteNotEmpty", 400);

    public static final ErrorCode TABLES_NOT_FOUND = user("storage.tables.notFound", 404);
    public static final ErrorCode TABLES_VALIDATION = user("storage.tables.validation", 400);
    public static final ErrorCode TABLE_ALREADY_EXISTS = user("storage.buckets.tableAlreadyExists", 400);
    public static final ErrorCode INVALID_COLUMN_NAME = user("storage.tables.validation.invalidColumnName", 400);
    public static final ErrorCode NO_COLUMNS = user("storage.tables.validation.noColumns", 400);
    /** A filter on a column the table does not have. */
    public static final ErrorCode COLUMN_NOT_EXISTS = user("storage.tables.validation.columnNotExists", 400);
    /** A filter without values, or with several for an operator that compares to one. */
    public static final ErrorCode INVALID_FILTER_VALUES = user("storage.tables.validation.invalidFilterValues", 400);
    public static final ErrorCode INVALID_PRIMARY_KEY = user("storage.tables.validation.invalidPrimaryKeyColumns", 400);
    public static final ErrorCode COLUMN_ALREADY_EXISTS = user("storage.tables.columnAlreadyExists", 400);
    public static final ErrorCode COLUMNS_NOT_MATCH = user("csvImport.columnsNotMatch", 400);
    /** A malformed CSV file: unclosed quote, wrong field count, invalid UTF-8, bad gzip. */
    public static final ErrorCode INVALID_CSV = user("csvImport.invalidCsv", 400);

    public static final ErrorCode FILES_NOT_FOUND = user("storage.files.notFound", 404);
    public static final ErrorCode FILES_VALIDATION = user("storage.files.validation", 400);
    public static final ErrorCode FILE_NOT_UPLOADED = user("storage.fileNotUploaded", 400);

    public static final ErrorCode WORKSPACES_NOT_FOUND = user("storage.workspaces.notFound", 404);
    public static final ErrorCode WORKSPACES_VALIDATION = user("storage.workspaces.validation", 400);
    /** A table a load from a workspace names is not in the workspace. */
    public static final ErrorCode WORKSPACE_TABLE_NOT_FOUND = user("storage.workspaces.tableNotFound", 404);
    public static final ErrorCode WORKSPACE_TABLE_EXISTS = user("storage.workspaces.tableAlreadyExists", 400);
    /** The workspace is held by another process (an embedded database file a component still has open). */
    public static final ErrorCode WORKSPACE_LOCKED = user("storage.workspaces.locked", 409);

    public static final ErrorCode JOBS_NOT_FOUND = user("storage.jobs.notFound", 404);
    public static final ErrorCode JOB_INTERRUPTED = internal("storage.jobs.interrupted", 500);

    /**
     * The node is stopping (or otherwise not taking work): answered with 503, {@code Retry-After} and the
     * maintenance fields Keboola's clients read; they retry.
     */
    public static final ErrorCode MAINTENANCE = user("storage.maintenance", 503);
    /** A request body or multipart part over its documented limit (the code the JSON body limit always had). */
    public static final ErrorCode TOO_LARGE = user("storage.validation", 413);

    public static final ErrorCode INTERNAL = internal("application.internalError", 500);

    public static final ErrorCode JOB_TIMEOUT = internal("storage.jobs.timeout", 504);
    /** A job whose stored request this version cannot read (see {@code LegacyRequests}). */
    public static final ErrorCode JOB_UNREADABLE = internal("storage.jobs.unreadable", 500);

    private static final Map<String, ErrorCode> KNOWN = known();

    /**
     * The code a job error names (a job stores only the string): its HTTP status and kind. A code this version
     * does not know is taken for a user error answered with 400.
     */
    public static ErrorCode forCode(String code) {
        ErrorCode known = KNOWN.get(code);
        return known != null ? known : user(code, 400);
    }

    private static Map<String, ErrorCode> known() {
        Map<String, ErrorCode> out = new HashMap<>();
        for (Field f : ErrorCode.class.getDeclaredFields()) {
            if (Modifier.isStatic(f.getModifiers()) && f.getType() == ErrorCode.class) {
                try {
                    ErrorCode c = (ErrorCode) f.get(null);
                    out.putIfAbsent(c.code(), c);
                } catch (IllegalAccessException e) {
                    throw new IllegalStateException(e);
                }
            }
        }
        return Map.copyOf(out);
    }

    public static ErrorCode user(String code, int status) {
        return new ErrorCode(code, status, true);
    }

    public static ErrorCode internal(String code, int status) {
        return new ErrorCode(code, status, false);
    }
}
