package io.granary.core.port;

import io.granary.core.model.Access;
import io.granary.core.model.IssuedCredentials;
import java.time.Duration;

/**
 * Mints temporary object-store credentials limited to one key (or, with {@code prefix}, every key
 * starting with it) of the store's bucket. Requests with them on any other key, or after they expire,
 * or for another kind of access, are refused by the object store.
 */
public interface CredentialIssuer {

    IssuedCredentials issue(String key, boolean prefix, Access access, Duration ttl);
}
