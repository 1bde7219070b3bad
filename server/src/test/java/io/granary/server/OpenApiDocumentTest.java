package io.granary.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.granary.server.support.Api;
import io.granary.server.support.EmbeddedGranary;
import io.granary.server.support.OpenApiContract;
import io.granary.server.support.OpenApiContract.Request;
import io.swagger.v3.oas.models.SpecVersion;
import io.swagger.v3.parser.OpenAPIV3Parser;
import io.swagger.v3.parser.core.models.ParseOptions;
import io.swagger.v3.parser.core.models.SwaggerParseResult;
import java.net.URI;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The OpenAPI document lists exactly the routes the server registers and is served at
 * {@code /v2/storage/openapi.json}; the contract check that every HTTP suite runs through {@link Api} finds a
 * route, field, parameter or status the document lacks.
 */
class OpenApiDocumentTest {

    @RegisterExtension
    static EmbeddedGranary granary = new EmbeddedGranary();

    private static final OpenApiContract DOC = OpenApiContract.document();

    @Test
    void theDocumentListsEveryRouteTheServerServesAndNoOther() {
        Set<String> served = new TreeSet<>();
        for (String route : granary.server().routes()) {
            // Javalin's <path> takes slashes; the document names it {path} with x-granary-matches-slashes
            served.add(route.replaceAll("<([^>]+)>", "{$1}"));
        }
        assertThat(new TreeSet<>(DOC.operations())).isEqualTo(served);
    }

    @Test
    void theDocumentIsValidOpenApi31() throws Exception {
        ParseOptions options = new ParseOptions();
        options.setResolve(true);
        SwaggerParseResult parsed = new OpenAPIV3Parser().readContents(
                new ObjectMapper().writeValueAsString(DOC.json()), null, options);
        assertThat(parsed.getMessages()).isEmpty();
        assertThat(parsed.getOpenAPI().getSpecVersion()).isEqualTo(SpecVersion.V31);
        assertThat(parsed.getOpenAPI().getPaths()).hasSize(DOC.json().get("paths").size());

        // the parser does object: a response without its required description
        ObjectNode broken = DOC.json().deepCopy();
        ((ObjectNode) broken.at("/paths/~1health~1live/get/responses/200")).remove("description");
        assertThat(new OpenAPIV3Parser().readContents(new ObjectMapper().writeValueAsString(broken), null, options)
                .getMessages()).anySatisfy(m -> assertThat(m).contains("description"));
    }

    @Test
    void theDocumentIsServedWithoutATokenAsOpenApi31() throws Exception {
        Api.Response r = granary.api(null).get("/v2/storage/openapi.json");
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.header("Content-Type")).isEqualTo("application/json");
        assertThat(new ObjectMapper().readTree(r.body())).isEqualTo(DOC.json());
        assertThat(r.json().get("openapi").asText()).isEqualTo("3.1.0");
    }

    @Test
    void aFieldTheDocumentDoesNotNameIsAProblem() {
        String bucket = granary.master().get("/v2/storage/buckets/in.c-none").body(); // a 404 body, for its shape
        assertThat(problems("GET", "/v2/storage/buckets/in.c-none", null, null, 404, bucket)).isEmpty();
        String extra = bucket.replaceFirst("\\{", "{\"undocumented\":1,");
        assertThat(problems("GET", "/v2/storage/buckets/in.c-none", null, null, 404, extra))
                .singleElement().asString().contains("undocumented");
    }

    @Test
    void aStatusTheDocumentDoesNotListIsAProblem() {
        assertThat(problems("GET", "/v2/storage/buckets", null, null, 418, "[]"))
                .containsExactly("GET /v2/storage/buckets does not list status 418");
    }

    @Test
    void aRouteTheDocumentLacksIsAProblemUnlessTheServerRefusedIt() {
        assertThat(problems("GET", "/v2/storage/undocumented", null, null, 200, "{}"))
                .containsExactly("no path of the document matches /v2/storage/undocumented, yet the server answered 200");
        String notFound = granary.master().get("/v2/storage/undocumented").body();
        assertThat(problems("GET", "/v2/storage/undocumented", null, null, 404, notFound)).isEmpty();
        assertThat(problems("PATCH", "/v2/storage/buckets", null, null, 200, "[]"))
                .containsExactly("/v2/storage/buckets has no patch, yet the server answered 200");
    }

    @Test
    void aParameterOrBodyFieldTheDocumentLacksIsAProblemWhenTheServerTookIt() {
        assertThat(problems("GET", "/v2/storage/buckets?secretFlag=1", null, null, 200, "[]")).containsExactly(
                "query parameter secretFlag of GET /v2/storage/buckets is not in the document, yet the server answered 200");
        assertThat(problems("POST", "/v2/storage/buckets", "application/x-www-form-urlencoded", "name=a&colour=red",
                400, error())).isEmpty();
        assertThat(problems("POST", "/v2/storage/tokens", "application/json", "{\"description\":1}", 201, error()))
                .anySatisfy(p -> assertThat(p).contains("/description").contains("yet the server answered 201"));
        assertThat(problems("POST", "/v2/storage/buckets", "text/plain", "name=a", 201, error()))
                .contains("POST /v2/storage/buckets takes no text/plain body in the document, yet the server answered 201");
    }

    private static String error() {
        return "{\"error\":\"x\",\"code\":\"storage.validation\",\"status\":\"error\",\"exceptionId\":\"exception-1\"}";
    }

    private static List<String> problems(String method, String path, String type, String body, int status,
            String responseBody) {
        return DOC.problems(new Request(method, URI.create("http://localhost" + path), type, body, null), status,
                "application/json", responseBody);
    }
}
