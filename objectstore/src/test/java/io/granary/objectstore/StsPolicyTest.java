package io.granary.objectstore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.granary.core.model.Access;
import org.junit.jupiter.api.Test;

class StsPolicyTest {

    @Test
    void uploadOfOneKeyAllowsPutAbortAndListPartsOnThatObjectOnly() {
        assertThat(StsPolicy.of("aws", "granary-data", "exp-15/1/files/2026/05/01/7.a.csv", false, Access.UPLOAD))
                .isEqualTo("{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":["
                        + "\"s3:PutObject\",\"s3:AbortMultipartUpload\",\"s3:ListMultipartUploadParts\"],"
                        + "\"Resource\":[\"arn:aws:s3:::granary-data/exp-15/1/files/2026/05/01/7.a.csv\"]}]}");
    }

    @Test
    void uploadOfAPrefixCoversEveryKeyUnderIt() {
        assertThat(StsPolicy.of("aws", "b", "exp-15/1/files/2026/05/01/8.sliced.csv", true, Access.UPLOAD))
                .isEqualTo("{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":["
                        + "\"s3:PutObject\",\"s3:AbortMultipartUpload\",\"s3:ListMultipartUploadParts\"],"
                        + "\"Resource\":[\"arn:aws:s3:::b/exp-15/1/files/2026/05/01/8.sliced.csv*\"]}]}");
    }

    @Test
    void downloadAllowsGetObjectOnly() {
        assertThat(StsPolicy.of("aws", "b", "k.csv", false, Access.DOWNLOAD))
                .isEqualTo("{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":["
                        + "\"s3:GetObject\"],\"Resource\":[\"arn:aws:s3:::b/k.csv\"]}]}");
        assertThat(StsPolicy.of("aws-cn", "b", "p/", true, Access.DOWNLOAD))
                .isEqualTo("{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":["
                        + "\"s3:GetObject\"],\"Resource\":[\"arn:aws-cn:s3:::b/p/*\"]}]}");
    }

    @Test
    void policyIsValidJsonAndQuotesAreEscaped() throws Exception {
        String policy = StsPolicy.of("aws", "b", "odd \"name\"\\x", false, Access.DOWNLOAD);
        var tree = new com.fasterxml.jackson.databind.ObjectMapper().readTree(policy);
        assertThat(tree.at("/Statement/0/Resource/0").asText()).isEqualTo("arn:aws:s3:::b/odd \"name\"\\x");
    }

    @Test
    void keysThatWouldWidenTheResourceAreRefused() {
        assertThatThrownBy(() -> StsPolicy.of("aws", "b", "a*", false, Access.UPLOAD))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> StsPolicy.of("aws", "b", "a?b", false, Access.UPLOAD))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> StsPolicy.of("aws", "b", "${aws:username}/x", false, Access.UPLOAD))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> StsPolicy.of("aws", "b", "", false, Access.UPLOAD))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void partitionFollowsTheRegion() {
        assertThat(StsPolicy.partition("eu-central-1")).isEqualTo("aws");
        assertThat(StsPolicy.partition("us-east-1")).isEqualTo("aws");
        assertThat(StsPolicy.partition("cn-north-1")).isEqualTo("aws-cn");
        assertThat(StsPolicy.partition("us-gov-west-1")).isEqualTo("aws-us-gov");
    }
}
