package io.granary.postgres;

import static io.granary.postgres.Jdbc.instant;
import static io.granary.postgres.Jdbc.nullableLong;
import static io.granary.postgres.Jdbc.textList;

import io.granary.core.util.StoredJson;
import io.granary.core.model.Access;
import io.granary.core.model.Bucket;
import io.granary.core.model.Metadata;
import io.granary.core.model.ScopedCredential;
import io.granary.core.model.StoredFile;
import io.granary.core.model.Table;
import io.granary.core.model.TableRef;
import io.granary.core.model.Token;
import io.granary.core.model.Workspace;
import java.sql.ResultSet;
import java.sql.SQLException;

/** Rows of the catalog tables (V2__catalog.sql) to model records. */
final class CatalogRows {

    private CatalogRows() {
    }

    static Token token(ResultSet rs) throws SQLException {
        return new Token(rs.getLong("id"), rs.getString("description"), rs.getString("secret_hash"),
                rs.getBoolean("is_master"), rs.getBoolean("can_manage_buckets"), rs.getBoolean("can_manage_tokens"),
                rs.getBoolean("can_read_all_file_uploads"), StoredJson.readPermissions(rs.getString("bucket_permissions")),
                instant(rs, "created"), instant(rs, "refreshed"), instant(rs, "expires"),
                nullableLong(rs, "creator_token_id"));
    }

    static Bucket bucket(ResultSet rs) throws SQLException {
        return new Bucket(rs.getString("id"), rs.getString("name"), rs.getString("display_name"),
                rs.getString("stage"), rs.getString("description"), rs.getString("backend"), instant(rs, "created"));
    }

    static Table table(ResultSet rs) throws SQLException {
        return new Table(new TableRef(rs.getString("bucket_id"), rs.getString("name")), textList(rs, "columns"),
                textList(rs, "primary_key"), instant(rs, "created"), instant(rs, "last_import_date"),
                instant(rs, "last_change_date"), rs.getLong("rows_count"), rs.getLong("data_size_bytes"));
    }

    static Metadata metadata(ResultSet rs) throws SQLException {
        return new Metadata(rs.getLong("id"), rs.getString("table_id"), rs.getString("column_name"),
                rs.getString("provider"), rs.getString("key"), rs.getString("value"), instant(rs, "ts"));
    }

    static StoredFile file(ResultSet rs) throws SQLException {
        return new StoredFile(rs.getLong("id"), rs.getString("name"), nullableLong(rs, "size_bytes"),
                rs.getString("content_type"), rs.getBoolean("is_public"), rs.getBoolean("is_sliced"),
                rs.getBoolean("is_encrypted"), rs.getBoolean("is_permanent"), rs.getString("file_type"),
                textList(rs, "tags"), rs.getString("run_id"), rs.getLong("creator_token_id"),
                rs.getString("creator_token_description"), rs.getString("object_key"), instant(rs, "created"),
                instant(rs, "expires"));
    }

    static Workspace workspace(ResultSet rs) throws SQLException {
        return new Workspace(rs.getLong("id"), rs.getString("name"), rs.getString("backend"), rs.getString("component"),
                rs.getString("configuration_id"), rs.getBoolean("read_only_storage_access"),
                StoredJson.readStrings(rs.getString("connection")), rs.getLong("creator_token_id"),
                rs.getString("creator_token_description"), instant(rs, "created"));
    }

    static ScopedCredential credential(ResultSet rs) throws SQLException {
        return new ScopedCredential(rs.getString("access_key_id"), rs.getString("session_token"),
                rs.getString("bucket"), rs.getString("object_key"), rs.getBoolean("is_prefix"),
                Access.valueOf(rs.getString("access")), instant(rs, "expiration"));
    }
}
