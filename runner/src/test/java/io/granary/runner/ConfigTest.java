package io.granary.runner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigTest {

    @TempDir
    Path tmp;

    static Config parse(String json) throws Exception {
        return Config.parse(Json.MAPPER.readTree(json));
    }

    @Test
    void invalidJsonNamesTheFileAndThePlace() throws Exception {
        Path broken = Files.writeString(tmp.resolve("broken.json"), "{\"parameters\": ");
        assertThatThrownBy(() -> Config.parse(broken)).isInstanceOf(UserException.class)
                .hasMessageStartingWith("Error in configuration: Cannot read \"" + broken + "\" as JSON: ")
                .hasMessageContaining("(line 1, column")
                .hasMessageNotContaining("REDACTED");
    }

    @Test
    void unknownTopLevelKeyIsAUserErrorNamingIt() {
        assertThatThrownBy(() -> parse("{\"parameters\": {}, \"paramters\": {}}"))
                .isInstanceOf(UserException.class)
                .hasMessageStartingWith("Error in configuration: Unrecognized option \"paramters\" under \"container\"");
    }

    @Test
    void wrongTypeNamesThePath() {
        assertThatThrownBy(() -> parse("{\"parameters\": \"x\"}"))
                .isInstanceOf(UserException.class)
                .hasMessage("Error in configuration: Invalid type for path \"container.parameters\". Expected \"array\", but got \"string\".");
        assertThatThrownBy(() -> parse("{\"storage\": {\"input\": {\"tables\": [{\"source\": \"in.c-a.b\", \"columns\": \"a\"}]}}}"))
                .hasMessageContaining("\"container.storage.input.tables.0.columns\". Expected \"array\"");
        assertThatThrownBy(() -> parse("{\"storage\": {\"output\": {\"tables\": [{\"source\": \"a.csv\", \"wrongParam\": 1}]}}}"))
                .hasMessageContaining("Unrecognized option \"wrongParam\" under \"container.storage.output.tables.0\"");
    }

    @Test
    void normalisesMappingDefaultsAndWritesComponentJson() throws Exception {
        Config c = parse("""
                {"storage": {"input": {"tables": [{"source": "in.c-a.t"}], "files": [{"source": {"tags": [{"name": "x"}]}}]},
                             "output": {"tables": [{"source": "t.csv"}]}},
                 "parameters": {"#pass": "s1", "nested": [{"#key": "s2"}], "plain": "p"},
                 "runtime": {"x": 1}}
                """);
        JsonNode in = c.inputTables().get(0).json();
        assertThat(in.get("destination").asText()).isEqualTo("in.c-a.t");
        assertThat(in.get("where_operator").asText()).isEqualTo("eq");
        assertThat(c.inputFiles().get(0).json().get("tags").isArray()).isTrue();
        assertThat(c.inputFiles().get(0).json().at("/source/tags/0/match").asText()).isEqualTo("include");
        JsonNode out = c.outputTables().get(0).json();
        assertThat(out.get("destination").asText()).isEmpty();
        assertThat(out.get("primary_key").isArray()).isTrue();
        assertThat(out.get("incremental").asBoolean()).isFalse();
        assertThat(c.secrets()).containsExactlyInAnyOrder("s1", "s2");
        // the typed records carry the same normalised values
        assertThat(c.inputTables().get(0).destination()).isEqualTo("in.c-a.t");
        assertThat(c.inputTables().get(0).whereOperator()).isEqualTo("eq");
        assertThat(c.inputFiles().get(0).sourceTags()).containsExactly(new InputFileMapping.SourceTag("x", "include"));
        assertThat(c.outputTables().get(0).destination()).isEmpty();

        DataFolder folder = DataFolder.create(tmp.resolve("data"));
        c.writeTo(folder);
        JsonNode written = Json.read(folder.configFile());
        assertThat(written.has("runtime")).isFalse();
        assertThat(written.get("action").asText()).isEqualTo("run");
        assertThat(written.get("image_parameters").isObject()).isTrue();
        assertThat(written.get("authorization").isObject()).isTrue();
        for (String d : List.of("in/tables", "in/files", "in/user", "out/tables", "out/files")) {
            assertThat(Files.isDirectory(folder.root().resolve(d))).as(d).isTrue();
        }
        assertThat(folder.kbcDataDir()).endsWith("/");
    }

    @Test
    void inputValidationMessages() {
        assertThatThrownBy(() -> parse("{\"storage\": {\"input\": {\"files\": [{\"limit\": 1}]}}}"))
                .hasMessageContaining("At least one of \"tags\", \"source.tags\", \"query\" or \"file_ids\" parameters must be defined.");
        assertThatThrownBy(() -> parse("{\"storage\": {\"input\": {\"tables\": [{\"source\": \"in.c-a.t\", \"days\": 2, \"changed_since\": \"-1 days\"}]}}}"))
                .hasMessageContaining("Cannot set both parameters \"days\" and \"changed_since\".");
    }

    @Test
    void secretFilterHidesPlainBase64AndJsonForms() {
        SecretFilter f = new SecretFilter(List.of("p\"w"));
        assertThat(f.filter("a p\"w b")).isEqualTo("a [hidden] b");
        assertThat(f.filter("x " + java.util.Base64.getEncoder().encodeToString("p\"w".getBytes()))).isEqualTo("x [hidden]");
        assertThat(f.filter("{\"k\":\"p\\\"w\"}")).isEqualTo("{\"k\":\"[hidden]\"}");
    }

    @Test
    void keboolaTimeFormat() {
        assertThat(Json.keboolaTime("2015-01-14T00:47:00+01:00")).isEqualTo("2015-01-14T00:47:00+0100");
        assertThat(Json.keboolaTime("2015-01-14T00:47:00.123456Z")).isEqualTo("2015-01-14T00:47:00+0000");
        assertThat(Json.keboolaTime("2015-01-14T00:47:00+0100")).isEqualTo("2015-01-14T00:47:00+0100");
    }
}
