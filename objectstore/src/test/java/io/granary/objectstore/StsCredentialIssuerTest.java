package io.granary.objectstore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.granary.core.error.ErrorCode;
import io.granary.core.error.GranaryException;
import io.granary.core.model.Access;
import io.granary.core.model.IssuedCredentials;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What the issuer sends to STS and how it reads the answer. STS is not our code and there is no STS server
 * here: a minimal endpoint records the request and answers with canned STS XML (as AWS documents it).
 */
class StsCredentialIssuerTest {

    private static final String ACCESS_KEY = "AKIAGRANARYSERVER01";
    private static final String SECRET = "server-secret-never-shown-0123456789abcd";

    StsEndpoint server;
    URI endpoint;
    List<StsEndpoint.Call> calls;
    volatile int status = 200;
    volatile String answer;

    @BeforeEach
    void start() {
        server = StsEndpoint.start(call -> new StsEndpoint.Answer(status, answer));
        endpoint = server.endpoint();
        calls = server.calls();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void federationSendsGetFederationTokenWithThePolicyAndReadsTheCredentials() {
        answer = success("GetFederationToken", "2026-05-01T12:00:00Z");
        try (StsCredentialIssuer issuer = issuer(StsCredentialIssuer.Mode.FEDERATION, null)) {
            IssuedCredentials issued = issuer.issue("exp-15/1/files/a.csv", false, Access.UPLOAD, Duration.ofHours(12));

            assertThat(issued).isEqualTo(new IssuedCredentials("ASIAMINTEDKEY0000001",
                    "minted/secret+value0000000000000000000000", "FwoGZXIvYXdzEXAMPLEsessiontoken==",
                    Instant.parse("2026-05-01T12:00:00Z")));
        }
        assertThat(calls).hasSize(1);
        Map<String, String> p = calls.get(0).params();
        assertThat(p).containsEntry("Action", "GetFederationToken").containsEntry("Version", "2011-06-15")
                .containsEntry("Name", "granary-upload").containsEntry("DurationSeconds", "43200")
                .containsEntry("Policy", "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":["
                        + "\"s3:PutObject\",\"s3:AbortMultipartUpload\",\"s3:ListMultipartUploadParts\"],"
                        + "\"Resource\":[\"arn:aws:s3:::granary-data/exp-15/1/files/a.csv\"]}]}")
                .doesNotContainKey("RoleArn");
        // signed for STS with the server's key; the secret itself never travels
        assertThat(calls.get(0).authorization()).startsWith("AWS4-HMAC-SHA256 Credential=" + ACCESS_KEY + "/")
                .contains("/us-east-1/sts/aws4_request").doesNotContain(SECRET);
    }

    @Test
    void assumeRoleSendsTheRoleAndASessionNameAndAPrefixPolicy() {
        answer = success("AssumeRole", "2026-05-01T01:00:00Z");
        String role = "arn:aws:iam::123456789012:role/granary-clients";
        try (StsCredentialIssuer issuer = issuer(StsCredentialIssuer.Mode.ASSUME_ROLE, role)) {
            IssuedCredentials issued = issuer.issue("exp-15/1/files/s.csv", true, Access.DOWNLOAD, Duration.ofHours(1));
            assertThat(issued.accessKeyId()).isEqualTo("ASIAMINTEDKEY0000001");
            assertThat(issued.expiration()).isEqualTo(Instant.parse("2026-05-01T01:00:00Z"));
        }
        Map<String, String> p = calls.get(0).params();
        assertThat(p).containsEntry("Action", "AssumeRole").containsEntry("RoleArn", role)
                .containsEntry("DurationSeconds", "3600")
                .containsEntry("Policy", "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":["
                        + "\"s3:GetObject\"],\"Resource\":[\"arn:aws:s3:::granary-data/exp-15/1/files/s.csv*\"]}]}");
        assertThat(p.get("RoleSessionName")).matches("granary-download-[0-9]+-[0-9]+").hasSizeLessThanOrEqualTo(64);
    }

    @Test
    void assumeRoleWithoutARoleArnLeavesItOutForMinio() {
        answer = success("AssumeRole", "2026-05-01T01:00:00Z");
        try (StsCredentialIssuer issuer = issuer(StsCredentialIssuer.Mode.ASSUME_ROLE, null)) {
            issuer.issue("k", false, Access.UPLOAD, Duration.ofHours(1));
        }
        assertThat(calls.get(0).params()).containsEntry("Action", "AssumeRole").doesNotContainKey("RoleArn");
    }

    @Test
    void durationIsClampedToWhatStsAllows() {
        answer = success("GetFederationToken", "2026-05-01T00:15:00Z");
        try (StsCredentialIssuer issuer = issuer(StsCredentialIssuer.Mode.FEDERATION, null)) {
            issuer.issue("k", false, Access.UPLOAD, Duration.ofSeconds(30));
            issuer.issue("k", false, Access.UPLOAD, Duration.ofDays(2));
        }
        assertThat(calls).extracting(c -> c.params().get("DurationSeconds")).containsExactly("900", "43200");
        assertThat(StsCredentialIssuer.clamp(Duration.ofMinutes(20))).isEqualTo(Duration.ofMinutes(20));
    }

    @Test
    void stsRefusalsBecomeAnInternalErrorNamingEndpointAndModeButNotTheSecret() {
        status = 403;
        answer = "<ErrorResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><Error><Type>Sender</Type>"
                + "<Code>AccessDenied</Code><Message>User: arn:aws:iam::123456789012:user/granary is not authorized "
                + "to perform: sts:GetFederationToken</Message></Error><RequestId>r-1</RequestId></ErrorResponse>";
        GranaryException e;
        try (StsCredentialIssuer issuer = issuer(StsCredentialIssuer.Mode.FEDERATION, null)) {
            e = catchThrowableOfType(GranaryException.class,
                    () -> issuer.issue("exp-15/1/files/a.csv", false, Access.UPLOAD, Duration.ofHours(12)));
        }
        assertThat(e.errorCode()).isEqualTo(ErrorCode.INTERNAL);
        assertThat(e.getMessage()).contains("GetFederationToken").contains(endpoint.toString())
                .contains("HTTP 403 AccessDenied").contains("not authorized to perform: sts:GetFederationToken")
                .contains("exp-15/1/files/a.csv").doesNotContain(SECRET);
    }

    @Test
    void aRoleWithAShortMaxSessionDurationGetsAHint() {
        status = 400;
        answer = "<ErrorResponse><Error><Type>Sender</Type><Code>ValidationError</Code><Message>The requested "
                + "DurationSeconds exceeds the MaxSessionDuration set for this role.</Message></Error>"
                + "<RequestId>r-2</RequestId></ErrorResponse>";
        GranaryException e;
        try (StsCredentialIssuer issuer = issuer(StsCredentialIssuer.Mode.ASSUME_ROLE, "arn:aws:iam::1:role/r")) {
            e = catchThrowableOfType(GranaryException.class,
                    () -> issuer.issue("k", false, Access.UPLOAD, Duration.ofHours(12)));
        }
        assertThat(e.getMessage()).contains("AssumeRole").contains("ValidationError")
                .contains("raise the role's MaxSessionDuration to 43200 seconds");
    }

    @Test
    void anUnreachableStsIsAnInternalErrorNamingIt() {
        server.close();
        GranaryException e;
        try (StsCredentialIssuer issuer = issuer(StsCredentialIssuer.Mode.ASSUME_ROLE, null)) {
            e = catchThrowableOfType(GranaryException.class,
                    () -> issuer.issue("k", false, Access.UPLOAD, Duration.ofHours(1)));
        }
        assertThat(e.errorCode()).isEqualTo(ErrorCode.INTERNAL);
        assertThat(e.getMessage()).contains("AssumeRole at " + endpoint).doesNotContain(SECRET);
    }

    private StsCredentialIssuer issuer(StsCredentialIssuer.Mode mode, String roleArn) {
        return StsCredentialIssuer.create(endpoint, "us-east-1", ACCESS_KEY, SECRET, mode, "granary-data", roleArn);
    }

    private static String success(String action, String expiration) {
        return StsEndpoint.success(action, "ASIAMINTEDKEY0000001", "minted/secret+value0000000000000000000000",
                "FwoGZXIvYXdzEXAMPLEsessiontoken==", Instant.parse(expiration));
    }
}
