package io.modeld.inference;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.modeld.engine.ChatRequest;
import io.modeld.engine.ChatTurn;
import io.modeld.engine.Media;
import java.util.Base64;
import java.util.Iterator;
import java.util.List;

/**
 * A generation or an embedding as a remote model's server reads it: the body of OpenAI's
 * {@code /v1/chat/completions}, {@code /v1/completions} or {@code /v1/embeddings}, as llama-server's
 * {@code server-chat} converts its doors' bodies to one form. The options sent are the request's over the local
 * Modelfile's only: what neither says is left to the server's own defaults for its model. Images and audio go as
 * content parts where their markers stand.
 */
final class RemoteRequests {

    private RemoteRequests() {
    }

    /** A chat completion's body: the messages (media as parts), tools, thinking, and the options said. */
    static ObjectNode chat(ChatRequest chat, Options said, boolean ignoreEos) {
        ObjectNode body = JsonNodeFactory.instance.objectNode();
        ArrayNode messages = body.putArray("messages");
        Iterator<Media> media = chat.media().iterator();
        for (ChatTurn t : chat.messages()) {
            ObjectNode m = t.openAi();
            if (t.content() != null && t.content().contains(Media.MARKER)) {
                m.set("content", parts(t.content(), media));
            }
            messages.add(m);
        }
        if (chat.tools() != null && chat.tools().isArray() && !chat.tools().isEmpty()) {
            body.set("tools", chat.tools());
            if (chat.toolChoice() != null) {
                body.set("tool_choice", chat.toolChoice());
            }
            if (chat.parallelToolCalls() != null) {
                body.put("parallel_tool_calls", chat.parallelToolCalls());
            }
        }
        if (chat.effort() != null) {
            body.put("reasoning_effort", chat.effort());
        } else if (Boolean.FALSE.equals(chat.thinking())) {
            body.put("reasoning_effort", "none");
        }
        if (chat.thinking() != null || !chat.kwargs().isEmpty()) {
            ObjectNode k = body.putObject("chat_template_kwargs");
            chat.kwargs().forEach(k::set);
            if (chat.thinking() != null) {
                k.put("enable_thinking", chat.thinking());
            }
        }
        options(body, said, ignoreEos);
        return body;
    }

    /** A text completion's body: the prompt as it is, the suffix to fill up to. */
    static ObjectNode text(String prompt, String suffix, Options said, boolean ignoreEos) {
        ObjectNode body = JsonNodeFactory.instance.objectNode().put("prompt", prompt);
        if (suffix != null) {
            body.put("suffix", suffix);
        }
        options(body, said, ignoreEos);
        return body;
    }

    /** An embedding's body: the texts, or the token ids. */
    static ObjectNode embed(List<String> texts, List<int[]> tokens) {
        ObjectNode body = JsonNodeFactory.instance.objectNode();
        ArrayNode input = body.putArray("input");
        if (tokens != null) {
            for (int[] t : tokens) {
                ArrayNode ids = input.addArray();
                for (int id : t) {
                    ids.add(id);
                }
            }
        } else {
            texts.forEach(input::add);
        }
        return body;
    }

    /** The text of a message with media markers, as content parts: text, then each image or clip where it stood. */
    private static ArrayNode parts(String content, Iterator<Media> media) {
        ArrayNode parts = JsonNodeFactory.instance.arrayNode();
        int from = 0;
        int at;
        while ((at = content.indexOf(Media.MARKER, from)) >= 0 && media.hasNext()) {
            if (at > from) {
                parts.addObject().put("type", "text").put("text", content.substring(from, at));
            }
            Media item = media.next();
            String data = Base64.getEncoder().encodeToString(item.data());
            if (item.kind() == Media.Kind.IMAGE) {
                parts.addObject().put("type", "image_url").putObject("image_url")
                        .put("url", "data:" + imageType(item.data()) + ";base64," + data);
            } else {
                parts.addObject().put("type", "input_audio").putObject("input_audio").put("data", data)
                        .put("format", audioFormat(item.data()));
            }
            from = at + Media.MARKER.length();
        }
        if (from < content.length()) {
            parts.addObject().put("type", "text").put("text", content.substring(from));
        }
        return parts;
    }

    /** An image's media type by its first bytes (the formats modeld takes). */
    static String imageType(byte[] b) {
        if (b.length > 3 && (b[0] & 0xff) == 0xff && (b[1] & 0xff) == 0xd8) {
            return "image/jpeg";
        }
        if (b.length > 3 && b[0] == 'G' && b[1] == 'I' && b[2] == 'F') {
            return "image/gif";
        }
        if (b.length > 2 && b[0] == 'B' && b[1] == 'M') {
            return "image/bmp";
        }
        return "image/png";
    }

    /** An audio clip's format as OpenAI names it: wav or mp3 (FLAC is sent as it is, named by its own word). */
    static String audioFormat(byte[] b) {
        if (b.length > 4 && b[0] == 'f' && b[1] == 'L' && b[2] == 'a' && b[3] == 'C') {
            return "flac";
        }
        if (b.length > 3 && b[0] == 'R' && b[1] == 'I' && b[2] == 'F' && b[3] == 'F') {
            return "wav";
        }
        return "mp3";
    }

    /** The options a request or the local Modelfile said, in OpenAI's and llama-server's names. */
    private static void options(ObjectNode body, Options o, boolean ignoreEos) {
        number(body, "temperature", o.temperature());
        number(body, "top_p", o.topP());
        number(body, "top_k", o.topK());
        number(body, "min_p", o.minP());
        number(body, "seed", o.seed());
        number(body, "presence_penalty", o.presencePenalty());
        number(body, "frequency_penalty", o.frequencyPenalty());
        number(body, "repeat_penalty", o.repeatPenalty());
        if (o.maxTokens() != null && o.maxTokens() >= 0) {
            body.put("max_tokens", o.maxTokens());
        }
        if (o.stop() != null && !o.stop().isEmpty()) {
            ArrayNode stop = body.putArray("stop");
            o.stop().forEach(stop::add);
        }
        if (o.grammar() != null && !o.grammar().isBlank()) {
            body.put("grammar", o.grammar());
        }
        if (ignoreEos) {
            body.put("ignore_eos", true);
        }
    }

    /** {@code value} under {@code name} when it was said (an option's float, int or long). */
    private static void number(ObjectNode body, String name, Number value) {
        if (value instanceof Float f) {
            body.put(name, f);
        } else if (value instanceof Integer i) {
            body.put(name, i);
        } else if (value instanceof Long l) {
            body.put(name, l);
        }
    }
}
