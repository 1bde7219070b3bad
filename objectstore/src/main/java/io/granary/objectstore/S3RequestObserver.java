package io.granary.objectstore;

import java.util.Locale;
import org.gaul.shaded.org.eclipse.jetty.server.Handler;
import org.gaul.shaded.org.eclipse.jetty.server.Request;
import org.gaul.shaded.org.eclipse.jetty.server.Response;
import org.gaul.shaded.org.eclipse.jetty.util.Callback;

/**
 * The outermost handler of the embedded S3 endpoint: tells a {@link S3RequestListener} the operation, status and
 * duration of each request, refused ones included.
 */
final class S3RequestObserver extends Handler.Wrapper {

    private final S3RequestListener listener;
    private final String virtualHostSuffix;

    /** @param virtualHost the endpoint's virtual host name (null: path-style only), to tell a key from a bucket */
    S3RequestObserver(Handler next, S3RequestListener listener, String bucket, String virtualHost) {
        super(next);
        this.listener = listener;
        this.virtualHostSuffix = virtualHost == null ? null : (bucket + "." + virtualHost).toLowerCase(Locale.ROOT);
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
        long start = System.nanoTime();
        String operation = operation(request);
        Callback observed = new Callback() {
            @Override
            public void succeeded() {
                listener.answered(operation, response.getStatus(), System.nanoTime() - start);
                callback.succeeded();
            }

            @Override
            public void failed(Throwable x) {
                int status = response.getStatus();
                listener.answered(operation, status < 400 ? 500 : status, System.nanoTime() - start);
                callback.failed(x);
            }

            @Override
            public InvocationType getInvocationType() {
                return callback.getInvocationType();
            }
        };
        boolean handled = super.handle(request, response, observed);
        if (!handled) {
            listener.answered(operation, 404, System.nanoTime() - start);
        }
        return handled;
    }

    private String operation(Request request) {
        String path = request.getHttpURI().getPath();
        String host = Request.getServerName(request);
        boolean virtual = virtualHostSuffix != null && host != null && host.toLowerCase(Locale.ROOT).equals(virtualHostSuffix);
        String rest = path == null ? "" : path.replaceFirst("^/+", "");
        boolean hasBucket = virtual || !rest.isEmpty();
        boolean hasKey = virtual ? !rest.isEmpty() : rest.indexOf('/') > 0 && rest.indexOf('/') < rest.length() - 1;
        String query = request.getHttpURI().getQuery();
        return S3Operations.name(request.getMethod(), hasBucket, hasKey, query == null ? "" : query,
                request.getHeaders().get("x-amz-copy-source") != null);
    }
}
