package io.modeld.api;

import io.javalin.http.Context;
import io.modeld.Json;
import io.modeld.ModeldException;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * How each front door writes an error, so that its own clients can read it: the Pieces API in plain
 * text, OpenAI's {@code /v1} as {@code {"error": {"message", "type", "code"}}}, Ollama's {@code /api}
 * as {@code {"error": "..."}}. A model that does not exist is 410 for Pieces, 404 for the others.
 */
enum ErrorStyle {

    PIECES {
        @Override
        void write(Context ctx, int status, String message, ModeldException.Kind kind) {
            ctx.status(status).contentType("text/plain; charset=utf-8").result(message + "\n");
        }
    },

    OPENAI {
        @Override
        int status(ModeldException.Kind kind) {
            return kind == ModeldException.Kind.UNKNOWN_MODEL ? 404 : kind.status;
        }

        @Override
        void write(Context ctx, int status, String message, ModeldException.Kind kind) {
            ObjectNode body = Json.MAPPER.createObjectNode();
            body.set("error", openAiError(status, message, kind));
            ctx.status(status).contentType("application/json").result(body.toString());
        }
    },

    OLLAMA {
        @Override
        int status(ModeldException.Kind kind) {
            return kind == ModeldException.Kind.UNKNOWN_MODEL ? 404 : kind.status;
        }

        @Override
        void write(Context ctx, int status, String message, ModeldException.Kind kind) {
            ctx.status(status).contentType("application/json; charset=utf-8")
                    .result(Json.MAPPER.createObjectNode().put("error", message).toString());
        }
    };

    /** The status this API gives a kind of failure. */
    int status(ModeldException.Kind kind) {
        return kind.status;
    }

    /** Writes the error; {@code kind} is null for failures that are not a {@link ModeldException}. */
    abstract void write(Context ctx, int status, String message, ModeldException.Kind kind);

    /** The style of the API a request went to, by its path. */
    static ErrorStyle of(Context ctx) {
        String path = ctx.path();
        if (path.startsWith("/v1/") || path.equals("/rerank")) {
            return OPENAI;
        }
        if (path.startsWith("/api/") || path.equals("/") && !Dashboard.wantsPage(ctx)) {
            return OLLAMA;
        }
        return PIECES;
    }

    /** OpenAI's error object: the message, a type by status, and a code where OpenAI has one. */
    static ObjectNode openAiError(int status, String message, ModeldException.Kind kind) {
        ObjectNode e = Json.MAPPER.createObjectNode().put("message", message)
                .put("type", status >= 500 ? "server_error" : status == 401 ? "authentication_error"
                        : "invalid_request_error");
        e.putNull("param");
        String code = kind == ModeldException.Kind.UNKNOWN_MODEL ? "model_not_found"
                : kind == ModeldException.Kind.UNAUTHORIZED ? "invalid_api_key"
                : kind == ModeldException.Kind.BUSY ? "rate_limit_exceeded" : null;
        if (code == null) {
            e.putNull("code");
        } else {
            e.put("code", code);
        }
        return e;
    }
}
