package io.granary.objectstore;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The S3 metrics' operation label comes from the request's shape alone: never a bucket or key. */
class S3OperationsTest {

    @ParameterizedTest(name = "{0} bucket={1} key={2} ?{3} copy={4} -> {5}")
    @CsvSource(delimiter = '|', value = {
        "GET | false | false | '' | false | ListBuckets",
        "GET | true | false | list-type=2&prefix=a | false | ListObjectsV2",
        "GET | true | false | prefix=a | false | ListObjects",
        "GET | true | false | uploads | false | ListMultipartUploads",
        "GET | true | false | location | false | GetBucketLocation",
        "HEAD | true | false | '' | false | HeadBucket",
        "POST | true | false | delete | false | DeleteObjects",
        "GET | true | true | '' | false | GetObject",
        "GET | true | true | uploadId=x | false | ListParts",
        "HEAD | true | true | '' | false | HeadObject",
        "PUT | true | true | '' | false | PutObject",
        "PUT | true | true | '' | true | CopyObject",
        "PUT | true | true | partNumber=1&uploadId=x | false | UploadPart",
        "PUT | true | true | partNumber=1&uploadId=x | true | UploadPartCopy",
        "POST | true | true | uploads | false | CreateMultipartUpload",
        "POST | true | true | uploadId=x | false | CompleteMultipartUpload",
        "DELETE | true | true | uploadId=x | false | AbortMultipartUpload",
        "DELETE | true | true | '' | false | DeleteObject",
        "OPTIONS | true | true | '' | false | Preflight",
        "PATCH | true | true | '' | false | Other",
    })
    void namesTheOperation(String method, boolean bucket, boolean key, String query, boolean copy, String expected) {
        assertThat(S3Operations.name(method, bucket, key, query, copy)).isEqualTo(expected);
    }
}
