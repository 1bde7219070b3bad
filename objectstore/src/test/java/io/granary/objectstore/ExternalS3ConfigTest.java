package io.granary.objectstore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.granary.objectstore.ExternalS3Config.CredentialsMode;
import java.net.URI;
import org.junit.jupiter.api.Test;

class ExternalS3ConfigTest {

    @Test
    void secretNeverShowsInToString() {
        ExternalS3Config config = new ExternalS3Config(URI.create("http://minio:9000"), null, "granary", "granary-server",
                "very-secret-value", true, CredentialsMode.STS_ASSUME_ROLE, null, null);
        assertThat(config.toString()).doesNotContain("very-secret-value").contains("secretKey=***")
                .contains("http://minio:9000").contains("sts-assume-role");
        assertThat(config.region()).isEqualTo("us-east-1");
        assertThat(config.isAws()).isFalse();
    }

    @Test
    void modesParseFromTheirFlagValues() {
        assertThat(CredentialsMode.parse("sts-federation")).isEqualTo(CredentialsMode.STS_FEDERATION);
        assertThat(CredentialsMode.parse("STS-Assume-Role")).isEqualTo(CredentialsMode.STS_ASSUME_ROLE);
        assertThat(CredentialsMode.parse(" presigned ")).isEqualTo(CredentialsMode.PRESIGNED);
        assertThat(CredentialsMode.parse("granary")).isEqualTo(CredentialsMode.GRANARY);
        assertThatThrownBy(() -> CredentialsMode.parse("sts")).hasMessageContaining("sts-federation, sts-assume-role");
    }

    @Test
    void awsIsNoEndpointOrAnAmazonawsOne() {
        assertThat(config(null, CredentialsMode.STS_FEDERATION, null).isAws()).isTrue();
        assertThat(config(URI.create("https://s3.eu-central-1.amazonaws.com"), CredentialsMode.PRESIGNED, null).isAws())
                .isTrue();
        assertThat(ExternalObjectStorage.stsEndpoint(config(URI.create("https://s3.eu-central-1.amazonaws.com"),
                CredentialsMode.STS_FEDERATION, null))).isNull();
        assertThat(ExternalObjectStorage.stsEndpoint(config(URI.create("http://minio:9000"),
                CredentialsMode.STS_ASSUME_ROLE, null))).isEqualTo(URI.create("http://minio:9000"));
    }

    @Test
    void inconsistentConfigurationsAreRefused() {
        assertThatThrownBy(() -> config(null, CredentialsMode.GRANARY, null)).hasMessageContaining("granary");
        assertThatThrownBy(() -> config(null, CredentialsMode.STS_ASSUME_ROLE, null)).hasMessageContaining("role ARN");
        assertThat(config(null, CredentialsMode.STS_ASSUME_ROLE, "arn:aws:iam::123456789012:role/granary").roleArn())
                .isEqualTo("arn:aws:iam::123456789012:role/granary");
        assertThatThrownBy(() -> new ExternalS3Config(null, null, " ", "a", "s", false, CredentialsMode.PRESIGNED,
                null, null)).hasMessageContaining("bucket");
        assertThatThrownBy(() -> new ExternalS3Config(null, null, "b", "a", "", false, CredentialsMode.PRESIGNED,
                null, null)).hasMessageContaining("secret key");
    }

    private static ExternalS3Config config(URI endpoint, CredentialsMode mode, String roleArn) {
        return new ExternalS3Config(endpoint, "eu-central-1", "b", "AKIAEXAMPLE", "secret", endpoint != null, mode,
                roleArn, null);
    }
}
