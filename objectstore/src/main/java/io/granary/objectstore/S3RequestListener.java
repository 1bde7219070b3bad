package io.granary.objectstore;

/** Told of every request the embedded S3 endpoint answered (metrics); called on Jetty's threads, must not throw. */
@FunctionalInterface
public interface S3RequestListener {

    S3RequestListener NONE = (operation, status, nanos) -> { };

    /**
     * @param operation the S3 API operation's name ({@code PutObject}, {@code UploadPart}, …): never a bucket or key
     * @param status the HTTP status answered
     * @param nanos from the request's arrival to the end of its answer
     */
    void answered(String operation, int status, long nanos);
}
