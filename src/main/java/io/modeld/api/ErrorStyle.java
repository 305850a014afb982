package io.modeld.api;

import io.javalin.http.Context;
import io.modeld.Json;
import io.modeld.ModeldException;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * How each front door writes an error, so that its own clients can read it: the Pieces API in plain
 * text, OpenAI's {@code /v1} as {@code {"error": {"message", "type", "code"}}}, Ollama's {@code /api}
 * as {@code {"error": "..."}}, Anthropic's {@code /v1/messages} as {@code {"type": "error", "error": {...}}}. A model that does not exist is 410 for Pieces, 404 for the others.
 */
public enum ErrorStyle {

    PIECES {
        @Override
        void write(Context ctx, int status, String message, ModeldException.Kind kind) {
            ctx.status(status).contentType("text/plain; charset=utf-8").result(message + "\n");
        }

        @Override
        String hint(ModeldException.Hint hint, String id) {
            return switch (hint) {
                case LIST_MODELS -> "; list the models with GET /models";
                case DOWNLOAD_FIRST -> "; download it first with POST /model/" + id + "/download";
                case REMOVE_FILES -> "; remove its files with POST /models/" + id + "/delete/cache";
                case SET_SOURCE -> "; set one with POST /model/update";
            };
        }
    },

    OPENAI {
        @Override
        public int status(ModeldException.Kind kind) {
            return kind == ModeldException.Kind.UNKNOWN_MODEL ? 404 : kind.status;
        }

        @Override
        void write(Context ctx, int status, String message, ModeldException.Kind kind) {
            ObjectNode body = Json.MAPPER.createObjectNode();
            body.set("error", openAiError(status, message, kind));
            ctx.status(status).contentType("application/json").result(body.toString());
        }

        @Override
        String hint(ModeldException.Hint hint, String id) {
            return switch (hint) {
                case LIST_MODELS -> "; list the models with GET /v1/models";
                case DOWNLOAD_FIRST -> "; download it first (modeld pull, or the dashboard)";
                case REMOVE_FILES -> "; remove its files first (modeld rm, or the dashboard)";
                case SET_SOURCE -> "; give it a source first (the dashboard, or modeld pull with a URL)";
            };
        }
    },

    ANTHROPIC {
        @Override
        public int status(ModeldException.Kind kind) {
            return kind == ModeldException.Kind.UNKNOWN_MODEL ? 404 : kind.status;
        }

        @Override
        void write(Context ctx, int status, String message, ModeldException.Kind kind) {
            ctx.status(status).contentType("application/json").result(anthropicError(status, message).toString());
        }

        @Override
        String hint(ModeldException.Hint hint, String id) {
            return OPENAI.hint(hint, id);
        }
    },

    OLLAMA {
        @Override
        public int status(ModeldException.Kind kind) {
            return kind == ModeldException.Kind.UNKNOWN_MODEL ? 404 : kind.status;
        }

        @Override
        void write(Context ctx, int status, String message, ModeldException.Kind kind) {
            ctx.status(status).contentType("application/json; charset=utf-8")
                    .result(Json.MAPPER.createObjectNode().put("error", message).toString());
        }

        @Override
        String hint(ModeldException.Hint hint, String id) {
            return switch (hint) {
                case LIST_MODELS, SET_SOURCE -> "";
                case DOWNLOAD_FIRST -> ", try pulling it first";
                case REMOVE_FILES -> "; delete it first with /api/delete";
            };
        }
    };

    /** What the door says the user can do about it, appended to the message ("" for nothing). */
    abstract String hint(ModeldException.Hint hint, String id);

    /** The failure's message with this door's words for its hint. */
    public String describe(ModeldException e) {
        return e.hint() == null ? e.getMessage() : e.getMessage() + hint(e.hint(), e.subject());
    }

    /** The status this API gives a kind of failure. */
    public int status(ModeldException.Kind kind) {
        return kind.status;
    }

    /** Writes the error; {@code kind} is null for failures that are not a {@link ModeldException}. */
    abstract void write(Context ctx, int status, String message, ModeldException.Kind kind);

    /** The style of the API a request went to, by its path. */
    static ErrorStyle of(Context ctx) {
        String path = ctx.path();
        if (path.startsWith("/v1/messages")) {
            return ANTHROPIC;
        }
        if (path.startsWith("/v1/") || path.equals("/rerank") || path.equals("/apply-template")
                || path.equals("/tokenize") || path.equals("/detokenize")) {
            return OPENAI;
        }
        if (path.startsWith("/api/") || path.equals("/") && !Dashboard.wantsPage(ctx)) {
            return OLLAMA;
        }
        return PIECES;
    }

    /** Anthropic's error body: {@code {"type": "error", "error": {"type", "message"}}}, the type by status. */
    public static ObjectNode anthropicError(int status, String message) {
        String type = switch (status) {
            case 400, 422 -> "invalid_request_error";
            case 401 -> "authentication_error";
            case 403 -> "permission_error";
            case 404, 410 -> "not_found_error";
            case 413 -> "request_too_large";
            case 429 -> "rate_limit_error";
            case 503, 529 -> "overloaded_error";
            default -> status >= 500 ? "api_error" : "invalid_request_error";
        };
        ObjectNode body = Json.MAPPER.createObjectNode().put("type", "error");
        body.putObject("error").put("type", type).put("message", message);
        return body;
    }

    /** OpenAI's error object: the message, a type by status, and a code where OpenAI has one. */
    public static ObjectNode openAiError(int status, String message, ModeldException.Kind kind) {
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
