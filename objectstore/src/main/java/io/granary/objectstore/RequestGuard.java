package io.granary.objectstore;

import io.granary.core.model.ScopedCredential;
import java.lang.reflect.Field;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Optional;
import org.gaul.shaded.org.eclipse.jetty.http.HttpHeader;
import org.gaul.shaded.org.eclipse.jetty.io.Content;
import org.gaul.shaded.org.eclipse.jetty.server.Handler;
import org.gaul.shaded.org.eclipse.jetty.server.Request;
import org.gaul.shaded.org.eclipse.jetty.server.Response;
import org.gaul.shaded.org.eclipse.jetty.server.Server;
import org.gaul.shaded.org.eclipse.jetty.util.Callback;
import org.gaul.shaded.org.eclipse.jetty.util.Fields;
import org.gaul.s3proxy.S3Proxy;

/**
 * Checks, in front of S3Proxy, what its {@link org.gaul.s3proxy.BlobStoreLocator} is never shown:
 *
 * <ul>
 * <li>the object key: a request whose path (or {@code x-amz-copy-source}) has a {@code .} or {@code ..}
 *     segment, literally or percent-encoded ({@code a/../b}, {@code a%2F..%2Fb}, {@code %2e%2e}), is
 *     refused with 400 {@code InvalidArgument}: on a filesystem store such a key would name another object
 *     than the one a credential was checked for;</li>
 * <li>the session token of a minted credential, which is part of the credential as on AWS: none answers
 *     403 {@code InvalidAccessKeyId} (what S3 says to a temporary key used without its token), one that is
 *     not the credential's own answers 400 {@code InvalidToken}.</li>
 * </ul>
 *
 * Everything else (signature, expiry, scope) is left to S3Proxy and the locator.
 */
final class RequestGuard extends Handler.Wrapper {

    private static final String SECURITY_TOKEN = "x-amz-security-token";
    private static final SecureRandom RANDOM = new SecureRandom();

    private record Refusal(int status, String code, String message) {
    }

    private final ScopedBlobStoreLocator locator;

    private RequestGuard(Handler next, ScopedBlobStoreLocator locator) {
        super(next);
        this.locator = locator;
    }

    /** Puts a guard in front of everything a not yet started S3Proxy serves. */
    static void install(S3Proxy proxy, ScopedBlobStoreLocator locator) {
        Server server = jettyServer(proxy);
        server.setHandler(new RequestGuard(server.getHandler(), locator));
    }

    /** The Jetty server inside a not yet started S3Proxy, to put handlers of ours in front of its own. */
    static Server jettyServer(S3Proxy proxy) {
        try {
            // S3Proxy builds its (shaded) Jetty server privately and offers no hook for a handler of our own
            Field field = S3Proxy.class.getDeclaredField("server");
            field.setAccessible(true);
            return (Server) field.get(proxy);
        } catch (ReflectiveOperationException | ClassCastException e) {
            throw new IllegalStateException("This S3Proxy version does not let Granary check session tokens and keys", e);
        }
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
        Refusal refusal = check(request);
        if (refusal == null) {
            return super.handle(request, response, callback);
        }
        send(request, response, callback, refusal);
        return true;
    }

    private Refusal check(Request request) {
        String path = request.getHttpURI().getPath();
        String copySource = request.getHeaders().get("x-amz-copy-source");
        try {
            if (hasDotSegment(path) || (copySource != null && hasDotSegment(copySource))) {
                return new Refusal(400, "InvalidArgument",
                        "Object keys with '.' or '..' path segments are not supported by this store.");
            }
        } catch (IllegalArgumentException e) {
            return new Refusal(400, "InvalidURI", "Couldn't parse the specified URI.");
        }
        Fields query = Request.extractQueryParameters(request, StandardCharsets.UTF_8);
        String accessKeyId = accessKeyId(request.getHeaders().get(HttpHeader.AUTHORIZATION), query);
        if (accessKeyId == null) {
            return null;
        }
        Optional<ScopedCredential> minted = locator.minted(accessKeyId);
        if (minted.isEmpty()) {
            return null;
        }
        String token = request.getHeaders().get(SECURITY_TOKEN);
        if (token == null) {
            token = parameter(query, SECURITY_TOKEN);
        }
        if (token == null || token.isEmpty()) {
            return new Refusal(403, "InvalidAccessKeyId",
                    "The AWS Access Key Id you provided does not exist in our records.");
        }
        if (!MessageDigest.isEqual(token.getBytes(StandardCharsets.UTF_8),
                minted.get().sessionToken().getBytes(StandardCharsets.UTF_8))) {
            return new Refusal(400, "InvalidToken", "The provided token is malformed or otherwise invalid.");
        }
        return null;
    }

    /** Decodes as S3Proxy does (so an encoded slash counts as one) and looks for "." and ".." segments. */
    static boolean hasDotSegment(String rawPath) {
        if (rawPath == null || rawPath.indexOf('.') < 0 && rawPath.indexOf('%') < 0) {
            return false;
        }
        String decoded = URLDecoder.decode(rawPath, StandardCharsets.UTF_8);
        for (String segment : decoded.split("/", -1)) {
            if (segment.equals(".") || segment.equals("..")) {
                return true;
            }
        }
        return false;
    }

    /** The access key id a request is signed with (SigV4 or V2, header or query string); null if unsigned. */
    static String accessKeyId(String authorization, Fields query) {
        if (authorization != null) {
            String header = authorization.strip();
            if (header.startsWith("AWS4-")) {
                int start = header.indexOf("Credential=");
                int end = start < 0 ? -1 : header.indexOf('/', start);
                return end < 0 ? null : header.substring(start + "Credential=".length(), end).strip();
            }
            if (header.startsWith("AWS ")) {
                int colon = header.indexOf(':');
                return colon < 0 ? null : header.substring(4, colon).strip();
            }
        }
        String credential = parameter(query, "X-Amz-Credential");
        if (credential != null) {
            int slash = credential.indexOf('/');
            return slash < 0 ? credential : credential.substring(0, slash);
        }
        return parameter(query, "AWSAccessKeyId");
    }

    private static String parameter(Fields query, String name) {
        for (Fields.Field field : query) {
            if (field.getName().equalsIgnoreCase(name)) {
                return field.getValue();
            }
        }
        return null;
    }

    private static void send(Request request, Response response, Callback callback, Refusal refusal) {
        byte[] id = new byte[8];
        RANDOM.nextBytes(id);
        String requestId = HexFormat.of().formatHex(id).toUpperCase(Locale.ROOT);
        response.setStatus(refusal.status());
        response.getHeaders().put("x-amz-request-id", requestId);
        if (request.getMethod().equals("HEAD")) {
            response.write(true, null, callback);
            return;
        }
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/xml");
        // code and message are constants of this class: nothing from the request is echoed
        Content.Sink.write(response, true, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>" + refusal.code()
                + "</Code><Message>" + refusal.message() + "</Message><RequestId>" + requestId
                + "</RequestId></Error>", callback);
    }
}
