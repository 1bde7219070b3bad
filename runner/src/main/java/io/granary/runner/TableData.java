package io.granary.runner;

import io.granary.client.TableCreateOptions;
import io.granary.client.TableImportOptions;
import java.io.Closeable;
import java.io.IOException;

/**
 * The rows of one {@link TableOutput} where its {@link OutputStaging} keeps them, opened for one load: a local file
 * or slice folder (uploaded to File Storage), or a workspace table (loaded by Storage from the workspace). The
 * {@link TableLoader} decides create vs import, keys, deletes and metadata; this only moves the rows. Both calls
 * wait for Storage's job and throw {@link io.granary.client.StorageApiException} when it fails.
 */
public interface TableData extends Closeable {

    /**
     * True when there is nothing at all to load (a 0-byte file, empty slices); a new table with configured columns
     * is then created without rows.
     */
    boolean empty() throws IOException;

    /**
     * True when the data itself names its columns (a workspace table): a new table is then created from it in one
     * job even when columns are configured, so a failed create leaves nothing behind. False (files): a new table with
     * configured columns is created empty from them, then loaded.
     */
    default boolean namesItsColumns() {
        return false;
    }

    /** Creates {@code bucketId.name} from the data, its header naming the columns (3.6.5 "create-from-file"). */
    void createTable(String bucketId, String name, TableCreateOptions options) throws IOException;

    /** Loads the data into the existing table {@code tableId}. */
    void importInto(String tableId, TableImportOptions options) throws IOException;

    /** Removes what {@code open} made for this load (a temp file); the component's own data stays. */
    @Override
    void close() throws IOException;
}
