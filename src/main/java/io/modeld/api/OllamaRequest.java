package io.modeld.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.modeld.ModeldException;
import io.modeld.engine.Sampling;
import java.time.Duration;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The parts of Ollama's requests that several endpoints share: the model name (or the legacy
 * {@code name}), {@code keep_alive}, {@code options} (sampling, {@code num_predict}, {@code num_ctx},
 * {@code stop}) and {@code format}. Unknown options are ignored, as Ollama ignores them; a known one of
 * the wrong type is a 400.
 */
final class OllamaRequest {

    private static final Pattern GO_DURATION = Pattern.compile("(-?\\d+(?:\\.\\d+)?)(ns|us|µs|ms|s|m|h)");
    /** Tokens generated when {@code num_predict} is -1 (until the model stops) is capped by the context anyway. */
    static final int UNLIMITED = 1 << 20;
    static final int DEFAULT_PREDICT = UNLIMITED;

    private OllamaRequest() {
    }

    /** The model field ({@code model}, else the legacy {@code name} that ollama-js sends). */
    static String model(JsonNode body) {
        String m = Fields.text(body, "model", null);
        if (m == null || m.isBlank()) {
            m = Fields.text(body, "name", null);
        }
        if (m == null || m.isBlank()) {
            throw ModeldException.invalid("model is required");
        }
        return m;
    }

    /**
     * {@code keep_alive}: a Go duration ({@code "5m"}, {@code "1h30m"}) or a number of seconds; 0
     * unloads at once, a negative value keeps the model for ever; null when absent.
     */
    static Duration keepAlive(JsonNode body) {
        JsonNode v = body.get("keep_alive");
        if (v == null || v.isNull()) {
            return null;
        }
        if (v.isNumber()) {
            double seconds = v.doubleValue();
            return seconds < 0 ? Duration.ofSeconds(-1) : Duration.ofMillis((long) (seconds * 1000));
        }
        if (!v.isTextual()) {
            throw ModeldException.invalid("keep_alive: must be a duration such as \"5m\" or a number of seconds");
        }
        String text = v.textValue().strip();
        if (text.matches("-?\\d+")) {
            long seconds = Long.parseLong(text);
            return seconds < 0 ? Duration.ofSeconds(-1) : Duration.ofSeconds(seconds);
        }
        Matcher m = GO_DURATION.matcher(text);
        Duration total = Duration.ZERO;
        int at = 0;
        boolean negative = false;
        while (m.find() && m.start() == at) {
            double n = Double.parseDouble(m.group(1));
            negative |= n < 0;
            long nanos = (long) (Math.abs(n) * switch (m.group(2)) {
                case "ns" -> 1L;
                case "us", "µs" -> 1_000L;
                case "ms" -> 1_000_000L;
                case "s" -> 1_000_000_000L;
                case "m" -> 60_000_000_000L;
                default -> 3_600_000_000_000L;
            });
            total = total.plusNanos(nanos);
            at = m.end();
        }
        if (at != text.length() || at == 0) {
            throw ModeldException.invalid("keep_alive: '" + text + "' is not a duration such as \"5m\" or \"1h30m\"");
        }
        return negative ? Duration.ofSeconds(-1) : total;
    }

    /** The options object ({@code {}} when absent). */
    static JsonNode options(JsonNode body) {
        JsonNode o = body.get("options");
        if (o == null || o.isNull()) {
            return io.modeld.Json.MAPPER.createObjectNode();
        }
        if (!o.isObject()) {
            throw ModeldException.invalid("options: must be an object");
        }
        return o;
    }

    /** {@code num_ctx}: the context the model is (re)loaded with; 0 when not asked. */
    static int context(JsonNode options) {
        return (int) Fields.whole(options, "num_ctx", 0, 0, 1 << 20);
    }

    /** {@code num_predict}: -1 (or absent) generates until the model stops or the context is full. */
    static int maxTokens(JsonNode options) {
        long n = Fields.whole(options, "num_predict", -1, -2, UNLIMITED);
        return n < 0 ? DEFAULT_PREDICT : (int) Math.max(0, n);
    }

    /** {@code stop}: a string or strings (Ollama takes an array; a string is accepted too). */
    static List<String> stop(JsonNode options, Map<String, Object> modelDefaults) {
        List<String> given = Fields.strings(options, "stop", 16);
        if (!given.isEmpty() || modelDefaults == null || !(modelDefaults.get("stop") instanceof List<?> l)) {
            return given;
        }
        return l.stream().map(String::valueOf).toList();
    }

    /**
     * The sampling options over Ollama's defaults (temperature 0.8, top_k 40, top_p 0.9, repeat_penalty
     * 1.0 over the last 64 tokens), the model's own parameters applying first; {@code format} "json" or a
     * JSON schema becomes a grammar.
     */
    static Sampling sampling(JsonNode options, JsonNode format, Map<String, Object> modelDefaults) {
        JsonNode o = withDefaults(options, modelDefaults);
        Sampling d = Sampling.DEFAULT;
        String grammar = null;
        if (format != null && !format.isNull()) {
            if (format.isTextual() && format.textValue().equals("json")) {
                grammar = JsonGrammar.OBJECT;
            } else if (format.isObject()) {
                grammar = JsonSchemaGrammar.of(format, "format");
            } else if (!(format.isTextual() && format.textValue().isEmpty())) {
                throw ModeldException.invalid("format: must be \"json\" or a JSON schema object");
            }
        }
        return new Sampling((float) Fields.number(o, "temperature", d.temperature(), 0, 100),
                (int) Fields.whole(o, "top_k", d.topK(), 0, 100_000),
                (float) Fields.number(o, "top_p", d.topP(), 0, 1),
                (float) Fields.number(o, "min_p", d.minP(), 0, 1),
                (float) Fields.number(o, "typical_p", d.typicalP(), 0, 1),
                Fields.whole(o, "seed", -1, Integer.MIN_VALUE, 0xFFFFFFFEL),
                (float) Fields.number(o, "repeat_penalty", d.repeatPenalty(), 0, 10),
                (int) Fields.whole(o, "repeat_last_n", d.repeatLastN(), -1, 1 << 20),
                (float) Fields.number(o, "presence_penalty", d.presencePenalty(), -10, 10),
                (float) Fields.number(o, "frequency_penalty", d.frequencyPenalty(), -10, 10), grammar);
    }

    /** The request's options over the model's parameters (a Modelfile's {@code PARAMETER}s). */
    private static JsonNode withDefaults(JsonNode options, Map<String, Object> modelDefaults) {
        if (modelDefaults == null || modelDefaults.isEmpty()) {
            return options;
        }
        com.fasterxml.jackson.databind.node.ObjectNode merged = io.modeld.Json.MAPPER.valueToTree(modelDefaults);
        for (Iterator<Map.Entry<String, JsonNode>> it = options.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            merged.set(e.getKey(), e.getValue());
        }
        return merged;
    }
}
