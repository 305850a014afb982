package io.modeld.api.ollama;

import com.fasterxml.jackson.databind.JsonNode;
import io.modeld.ModeldException;
import io.modeld.Json;
import io.modeld.api.Fields;
import io.modeld.inference.JsonGrammar;
import io.modeld.inference.JsonSchemaGrammar;
import io.modeld.inference.Options;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The parts of Ollama's requests that several endpoints share: the model name (or the legacy
 * {@code name}), {@code keep_alive}, {@code options} (sampling, {@code num_predict}, {@code num_ctx},
 * {@code stop}) and {@code format}, parsed into the inference core's {@link Options}. Unknown options are
 * ignored, as Ollama ignores them; a known one of the wrong type is a 400.
 */
final class OllamaRequest {

    private static final Pattern GO_DURATION = Pattern.compile("(-?\\d+(?:\\.\\d+)?)(ns|us|µs|ms|s|m|h)");
    /** The largest {@code num_predict} taken; the context ends a generation sooner anyway. */
    static final int UNLIMITED = 1 << 20;

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

    /**
     * The request's {@code options} in Ollama's names, and {@code format} ("json" or a JSON schema) as a
     * grammar; what is absent stays null for the one merge ({@link Options}). Ollama's bounds are looser than
     * OpenAI's (a temperature up to 100, penalties -10 to 10); a known option of the wrong type is a 400.
     */
    static Options options(JsonNode body) {
        JsonNode o = body.get("options");
        if (o == null || o.isNull()) {
            o = Json.MAPPER.createObjectNode();
        } else if (!o.isObject()) {
            throw ModeldException.invalid("options: must be an object");
        }
        long predict = Fields.whole(o, "num_predict", Long.MIN_VALUE, -2, UNLIMITED);
        Integer maxTokens = predict == Long.MIN_VALUE ? null : (int) Math.max(predict, -1);
        List<String> stop = Fields.strings(o, "stop", 16);
        Integer context = intOf(o, "num_ctx", 0, 1 << 20);
        Integer gpuLayers = intOf(o, "num_gpu", -1, 10_000);   // layers on the GPU; -1 as many as fit
        return new Options(floatOf(o, "temperature", 0, 100), intOf(o, "top_k", 0, 100_000), floatOf(o, "top_p", 0, 1),
                floatOf(o, "min_p", 0, 1), floatOf(o, "typical_p", 0, 1),
                Fields.has(o, "seed") ? Fields.whole(o, "seed", -1, Integer.MIN_VALUE, 0xFFFFFFFEL) : null,
                floatOf(o, "repeat_penalty", 0, 10), intOf(o, "repeat_last_n", -1, 1 << 20),
                floatOf(o, "presence_penalty", -10, 10), floatOf(o, "frequency_penalty", -10, 10), maxTokens,
                context == null || context == 0 ? null : context, stop.isEmpty() ? null : stop,
                grammar(body.get("format")), gpuLayers);
    }

    /** {@code format}: "json" or a JSON schema becomes a grammar; null or "" none. */
    private static String grammar(JsonNode format) {
        if (format == null || format.isNull() || format.isTextual() && format.textValue().isEmpty()) {
            return null;
        }
        if (format.isTextual() && format.textValue().equals("json")) {
            return JsonGrammar.OBJECT;
        }
        if (format.isObject()) {
            return JsonSchemaGrammar.of(format, "format");
        }
        throw ModeldException.invalid("format: must be \"json\" or a JSON schema object");
    }

    private static Float floatOf(JsonNode o, String field, double min, double max) {
        return Fields.has(o, field) ? (float) Fields.number(o, field, 0, min, max) : null;
    }

    private static Integer intOf(JsonNode o, String field, long min, long max) {
        return Fields.has(o, field) ? (int) Fields.whole(o, field, 0, min, max) : null;
    }
}
