package io.modeld.runtime;

import io.modeld.gguf.ModelRole;

import io.modeld.engine.ChatTurn;
import io.modeld.engine.Sampling;
import java.util.List;

/**
 * What the daemon and a runner say to each other: one JSON object per line, requests on the runner's
 * standard input, events on its standard output. Vectors travel as base64 of little-endian float32,
 * which is four times smaller than JSON numbers and quick to read.
 */
final class RunnerMessages {

    private RunnerMessages() {
    }

    /**
     * A request. {@code load} (files, context, threads, role, meanPooling), {@code unload},
     * {@code generate} (prompt or messages, template, maxTokens, sampling, stop, ignoreEos), {@code stop}
     * (ends a generation early), {@code embed} (inputs, truncate), {@code rerank} (query, inputs, truncate).
     */
    record Request(String op, List<String> files, Integer context, Integer threads, String role, Boolean meanPooling,
                   String prompt, List<ChatTurn> messages, String template, Integer maxTokens, Sampling sampling,
                   List<String> stop, Boolean ignoreEos, String query, List<String> inputs, Boolean truncate) {

        static Request load(List<String> files, int context, int threads, ModelRole role, boolean meanPooling) {
            return new Request("load", files, context, threads, role.name(), meanPooling, null, null, null, null, null,
                    null, null, null, null, null);
        }

        static Request simple(String op) {
            return new Request(op, null, null, null, null, null, null, null, null, null, null, null, null, null, null,
                    null);
        }

        static Request generate(GenerateRequest g) {
            return new Request("generate", null, null, null, null, null, g.prompt(), g.messages(), g.template(),
                    g.maxTokens(), g.sampling(), g.stop(), g.ignoreEos(), null, null, null);
        }

        static Request embed(List<String> inputs, boolean truncate) {
            return new Request("embed", null, null, null, null, null, null, null, null, null, null, null, null, null,
                    inputs, truncate);
        }

        static Request rerank(String query, List<String> documents, boolean truncate) {
            return new Request("rerank", null, null, null, null, null, null, null, null, null, null, null, null, query,
                    documents, truncate);
        }
    }

    /**
     * An event. {@code ready} (version: the engine is up), {@code loaded} (context, embeddingSize,
     * trainedContext, role), {@code unloaded}, {@code token} (text), {@code done} (promptTokens, tokens,
     * finish, promptNanos, generateNanos), {@code vectors} (vectors, promptTokens), {@code error}
     * (message, kind).
     */
    record Event(String event, String text, String message, String kind, String version, Integer context,
                 Integer embeddingSize, Integer trainedContext, String role, Integer promptTokens, Integer tokens,
                 String finish, Long promptNanos, Long generateNanos, List<String> vectors) {

        static Event of(String event) {
            return new Event(event, null, null, null, null, null, null, null, null, null, null, null, null, null, null);
        }

        static Event error(String message, String kind) {
            return new Event("error", null, message, kind, null, null, null, null, null, null, null, null, null, null,
                    null);
        }

        static Event token(String text) {
            return new Event("token", text, null, null, null, null, null, null, null, null, null, null, null, null,
                    null);
        }
    }
}
