package io.modeld.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.databind.MappingIterator;
import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The Helm chart (deploy/helm/modeld) through Helm's own code (helm-java: lint and template, as {@code helm lint} and
 * {@code helm template} run them): it lints clean, and what it renders is what a team deploys. A StatefulSet with
 * the data dir on a claimed volume, the API key from a Secret, liveness and readiness probes on /livez and /readyz,
 * scrape annotations, the models pulled first, and a GPU request when asked; without a key it refuses to render.
 */
class HelmChartTest {

    private static final Path CHART = Path.of("deploy", "helm", "modeld");
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    private static Map<String, JsonNode> render(Map<String, Object> values) throws Exception {
        var template = new Helm(CHART).template().withName("team");
        values.forEach(template::set);
        Map<String, JsonNode> byKind = new HashMap<>();
        try (MappingIterator<JsonNode> docs = YAML.readerFor(JsonNode.class).readValues(template.call())) {
            for (JsonNode d : docs.readAll()) {
                if (d != null && d.has("kind")) {
                    byKind.put(d.get("kind").asText(), d);
                }
            }
        }
        return byKind;
    }

    @Test
    void the_chart_lints_clean_and_renders_what_a_team_deploys() throws Exception {
        LintResult lint = new Helm(CHART).lint().strict().call();
        assertThat(lint.isFailed()).as(String.join("\n", lint.getMessages())).isFalse();

        Map<String, JsonNode> k8s = render(Map.of("apiKey.value", "s3cret", "models[0]", "qwen3:4b",
                "gpu.nvidia\\.com/gpu", 1, "remotes[0]", "gpu-box.lan", "remotes[1]", "10.0.0.5:11434"));
        assertThat(k8s).containsKeys("StatefulSet", "Service", "Secret");
        assertThat(k8s.get("Secret").at("/stringData/api-key").asText()).isEqualTo("s3cret");

        JsonNode pod = k8s.get("StatefulSet").at("/spec/template/spec");
        JsonNode modeld = pod.at("/containers/0");
        assertThat(modeld.get("args").toString()).contains("\"serve\"").contains("\"0.0.0.0\"").contains("\"/data\"");
        assertThat(modeld.at("/livenessProbe/httpGet/path").asText()).isEqualTo("/livez");
        assertThat(modeld.at("/readinessProbe/httpGet/path").asText()).isEqualTo("/readyz");
        JsonNode key = modeld.get("env").get(0);
        assertThat(key.get("name").asText()).isEqualTo("MODELD_API_KEY");
        assertThat(key.at("/valueFrom/secretKeyRef/name").asText()).isEqualTo(k8s.get("Secret").at("/metadata/name").asText());
        assertThat(modeld.at("/resources/limits/memory").asText()).isEqualTo("8Gi");
        assertThat(modeld.get("env").toString()).as("the remotes allow-list")
                .contains("{\"name\":\"MODELD_REMOTES\",\"value\":\"gpu-box.lan,10.0.0.5:11434\"}");
        assertThat(modeld.at("/resources/limits/nvidia.com~1gpu").asInt()).isEqualTo(1);
        assertThat(pod.at("/securityContext/runAsNonRoot").asBoolean()).isTrue();
        assertThat(pod.at("/initContainers/0/args/0").asText()).contains("modeld pull \"$m\"").contains("\"qwen3:4b\"");
        assertThat(k8s.get("StatefulSet").at("/spec/volumeClaimTemplates/0/spec/resources/requests/storage").asText())
                .isEqualTo("50Gi");
        assertThat(k8s.get("StatefulSet").at("/spec/template/metadata/annotations/prometheus.io~1scrape").asText())
                .isEqualTo("true");
        List<Integer> ports = k8s.get("Service").at("/spec/ports").findValues("port").stream().map(JsonNode::asInt).toList();
        assertThat(ports).containsExactly(39300, 11434);

        Map<String, JsonNode> own = render(Map.of("apiKey.existingSecret", "team-key", "metrics.enabled", false));
        assertThat(own).doesNotContainKey("Secret");
        assertThat(own.get("StatefulSet").at("/spec/template/spec/containers/0/env/0/valueFrom/secretKeyRef/name")
                .asText()).isEqualTo("team-key");
        assertThat(own.get("StatefulSet").at("/spec/template/spec/containers/0/args").toString()).contains("\"off\"");
        assertThat(own.get("StatefulSet").at("/spec/template/spec/initContainers").isMissingNode()).isTrue();
    }

    @Test
    void without_an_api_key_it_refuses_to_render() {
        assertThatThrownBy(() -> render(Map.of())).hasMessageContaining("apiKey.existingSecret or apiKey.value is required");
    }
}
