package io.granary.objectstore;

import io.granary.core.model.Access;
import io.granary.core.model.ScopedCredential;
import io.granary.core.port.Catalog;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.gaul.s3proxy.AccessGrant;
import org.gaul.s3proxy.BlobStoreLocator;
import org.gaul.s3proxy.blobstore.BlobStore;

/**
 * Decides, per S3 request, which credential verifies its signature and what it may do. The system
 * access key gets the whole store. Any other access key must be a credential minted by
 * {@link EmbeddedCredentialIssuer}: unexpired, naming a key it covers, and then limited to uploading or
 * downloading. Returning null makes S3Proxy answer 403.
 */
public final class ScopedBlobStoreLocator implements BlobStoreLocator {

    // A credential never changes once minted, so a short cache only saves catalog round trips on
    // multipart uploads; expiry is still checked on every request.
    private static final Duration CACHE_TTL = Duration.ofMinutes(1);
    private static final int CACHE_LIMIT = 10_000;

    private record Cached(ScopedCredential credential, Instant fetched) {
    }

    private final String systemAccessKey;
    private final String systemSecret;
    private final Catalog catalog;
    private final Clock clock;
    private final AccessGrant systemGrant;
    private final BlobStore uploadStore;
    private final BlobStore downloadStore;
    private final BlobStore deniedStore;
    private final Map<String, Cached> cache = new ConcurrentHashMap<>();

    /**
     * @param store the store behind every grant (the system key sees it unrestricted)
     * @param systemAccessKey the access key of Granary itself
     * @param systemSecret its secret; also the key minted secrets are derived from
     * @param catalog where minted credentials are looked up
     */
    public ScopedBlobStoreLocator(BlobStore store, String systemAccessKey, String systemSecret, Catalog catalog) {
        this(store, systemAccessKey, systemSecret, catalog, Clock.systemUTC());
    }

    public ScopedBlobStoreLocator(BlobStore store, String systemAccessKey, String systemSecret, Catalog catalog,
            Clock clock) {
        this.systemAccessKey = Objects.requireNonNull(systemAccessKey);
        this.systemSecret = Objects.requireNonNull(systemSecret);
        this.catalog = Objects.requireNonNull(catalog);
        this.clock = Objects.requireNonNull(clock);
        this.systemGrant = new AccessGrant(systemSecret, store);
        this.uploadStore = new ScopedBlobStore(store, Access.UPLOAD);
        this.downloadStore = new ScopedBlobStore(store, Access.DOWNLOAD);
        this.deniedStore = new ScopedBlobStore(store, null);
    }

    @Override
    public AccessGrant locateBlobStore(String identity, String container, String blob) {
        if (identity == null) {
            return null;
        }
        if (identity.equals(systemAccessKey)) {
            return systemGrant;
        }
        // blob == null is a bucket-level operation (ListObjects, HeadBucket, ...): never for a minted key
        if (container == null || blob == null || ScopedBlobStore.isInternalName(blob)) {
            return null;
        }
        Instant now = clock.instant();
        Optional<ScopedCredential> found = find(identity, now);
        if (found.isEmpty()) {
            return null;
        }
        ScopedCredential credential = found.get();
        if (credential.isExpired(now)) {
            return null;
        }
        if (!credential.covers(container, blob)) {
            // a genuine key on someone else's object: say AccessDenied rather than "unknown key"
            return new AccessGrant(DerivedSecret.of(systemSecret, identity), deniedStore);
        }
        BlobStore scoped = credential.access() == Access.UPLOAD ? uploadStore : downloadStore;
        return new AccessGrant(DerivedSecret.of(systemSecret, identity), scoped);
    }

    private Optional<ScopedCredential> find(String accessKeyId, Instant now) {
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
