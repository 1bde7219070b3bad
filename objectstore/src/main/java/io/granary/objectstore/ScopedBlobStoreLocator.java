package io.granary.objectstore;

import io.granary.core.model.ScopedCredential;
import io.granary.core.port.Catalog;
import io.granary.core.storage.FileKeys;
import io.granary.objectstore.ScopedBlobStore.Rights;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.gaul.s3proxy.AccessGrant;
import org.gaul.s3proxy.BlobStoreLocator;
import org.gaul.s3proxy.blobstore.BlobStore;

/**
 * Decides, per S3 request, which credential verifies its signature and what it may do. The system
 * access key gets the whole store, and so does the engine key ({@link #engineAccessKey}: a table engine such as
 * Trino reading and writing the bucket itself), whose secret is derived like a minted one, so an engine never
 * holds the secret every other one derives from. The presign key ({@link #presignAccessKey}, whose secret is derived
 * like a minted one) signs Granary's presigned URLs and may only read or put single objects. Any other
 * access key must be a credential minted by {@link EmbeddedCredentialIssuer}: unexpired, naming a key it
 * covers, and then limited to uploading or downloading. A minted credential or presigned URL on a file's
 * key works only while that file's record exists ({@link FileKeys#servable}), so deleting a file ends
 * them. Returning null makes S3Proxy answer 403 InvalidAccessKeyId; a grant of {@link Rights#NONE} answers
 * 403 AccessDenied once the signature has been verified. The session token is checked before this, by
 * {@link RequestGuard}.
 */
public final class ScopedBlobStoreLocator implements BlobStoreLocator {

    // A credential never changes once minted, so a short cache only saves catalog round trips on
    // multipart uploads; expiry and the file's record are still checked on every request.
    private static final Duration CACHE_TTL = Duration.ofMinutes(1);
    private static final int CACHE_LIMIT = 10_000;

    private record Cached(ScopedCredential credential, Instant fetched) {
    }

    private final String systemAccessKey;
    private final String systemSecret;
    private final String presignAccessKey;
    private final String engineAccessKey;
    private final AccessGrant engineGrant;
    private final Catalog catalog;
    private final Clock clock;
    private final AccessGrant systemGrant;
    private final Map<Rights, BlobStore> stores = new EnumMap<>(Rights.class);
    private final Map<String, Cached> cache = new ConcurrentHashMap<>();

    /**
     * @param store the store behind every grant (the system key sees it unrestricted)
     * @param systemAccessKey the access key of Granary itself
     * @param systemSecret its secret; also the key minted secrets are derived from
     * @param catalog where minted credentials and files are looked up
     */
    public ScopedBlobStoreLocator(BlobStore store, String systemAccessKey, String systemSecret, Catalog catalog) {
        this(store, systemAccessKey, systemSecret, catalog, Clock.systemUTC());
    }

    public ScopedBlobStoreLocator(BlobStore store, String systemAccessKey, String systemSecret, Catalog catalog,
            Clock clock) {
        this.systemAccessKey = Objects.requireNonNull(systemAccessKey);
        this.systemSecret = Objects.requireNonNull(systemSecret);
        this.presignAccessKey = presignAccessKey(systemAccessKey);
        this.engineAccessKey = engineAccessKey(systemAccessKey);
        this.engineGrant = new AccessGrant(engineSecret(systemAccessKey, systemSecret), store);
        this.catalog = Objects.requireNonNull(catalog);
        this.clock = Objects.requireNonNull(clock);
        this.systemGrant = new AccessGrant(systemSecret, store);
        for (Rights rights : Rights.values()) {
            stores.put(rights, new ScopedBlobStore(store, rights));
        }
    }

    /** The access key that signs Granary's presigned URLs on an endpoint whose system key is given. */
    static String presignAccessKey(String systemAccessKey) {
        return systemAccessKey + "-presign";
    }

    /** Its secret. */
    static String presignSecret(String systemAccessKey, String systemSecret) {
        return DerivedSecret.of(systemSecret, presignAccessKey(systemAccessKey));
    }

    /** The access key of table engines (Trino) on an endpoint whose system key is given: full access. */
    static String engineAccessKey(String systemAccessKey) {
        return systemAccessKey + "-engine";
    }

    /** Its secret. */
    static String engineSecret(String systemAccessKey, String systemSecret) {
        return DerivedSecret.of(systemSecret, engineAccessKey(systemAccessKey));
    }

    @Override
    public AccessGrant locateBlobStore(String identity, String container, String blob) {
        if (identity == null) {
            return null;
        }
        if (identity.equals(systemAccessKey)) {
            return systemGrant;
        }
        if (identity.equals(engineAccessKey)) {
            return engineGrant;
        }
        // blob == null is a bucket-level operation (ListObjects, HeadBucket, ...): never for a minted key
        if (container == null || blob == null || ScopedBlobStore.isInternalName(blob)) {
            return null;
        }
        Instant now = clock.instant();
        if (identity.equals(presignAccessKey)) {
            return grant(identity, FileKeys.servable(catalog, blob, now) ? Rights.PRESIGNED : Rights.NONE);
        }
        Optional<ScopedCredential> found = minted(identity);
        if (found.isEmpty()) {
            return null;
        }
        ScopedCredential credential = found.get();
        if (credential.isExpired(now)) {
            return null;
        }
        // a genuine key on someone else's object, or on a deleted file's: AccessDenied rather than "unknown key"
        if (!credential.covers(container, blob) || !FileKeys.servable(catalog, credential.key(), now)) {
            return grant(identity, Rights.NONE);
        }
        return grant(identity, Rights.of(credential.access()));
    }

    private AccessGrant grant(String identity, Rights rights) {
        return new AccessGrant(DerivedSecret.of(systemSecret, identity), stores.get(rights));
    }

    /** The minted credential with this access key id, if any (expired ones included). */
    Optional<ScopedCredential> minted(String accessKeyId) {
        if (accessKeyId.equals(systemAccessKey) || accessKeyId.equals(presignAccessKey)
                || accessKeyId.equals(engineAccessKey)) {
            return Optional.empty();
        }
        Instant now = clock.instant();
        Cached cached = cache.get(accessKeyId);
        if (cached != null && cached.fetched().plus(CACHE_TTL).isAfter(now)) {
            return Optional.of(cached.credential());
        }
        Optional<ScopedCredential> found = catalog.findCredential(accessKeyId);
        if (found.isPresent()) {
            if (cache.size() >= CACHE_LIMIT) {
                cache.clear();
            }
            cache.put(accessKeyId, new Cached(found.get(), now));
        } else {
            cache.remove(accessKeyId);
        }
        return found;
    }
}
