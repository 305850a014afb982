package io.modeld;

/** A failure the user caused or can fix; the API maps its kind to an HTTP status and its message to the body. */
public final class ModeldException extends RuntimeException {

    /** What went wrong, which decides the HTTP status. */
    public enum Kind {
        INVALID(400), UNAUTHORIZED(401), FORBIDDEN(403), NOT_FOUND(404), UNKNOWN_MODEL(410), CONFLICT(409),
        TOO_LARGE(413), UNPROCESSABLE(422), UPGRADE_REQUIRED(426), NOT_IMPLEMENTED(501),
        /** Too many requests wait for one model; try again shortly. */
        BUSY(503),
        /** A server-side fault that a retry may not meet: a runner died, the engine is missing. */
        UNAVAILABLE(503),
        /** The server a remote model lives on failed: it could not be reached, refused the key, or erred. */
        BAD_GATEWAY(502),
        INSUFFICIENT_STORAGE(507);

        public final int status;

        Kind(int status) {
            this.status = status;
        }
    }

    /**
     * What the user can do about it, which each front door says in its own words: the Pieces API names its
     * routes, Ollama's and OpenAI's clients get what their API offers, and no door names another's route.
     */
    public enum Hint {
        /** Look at the list of models. */
        LIST_MODELS,
        /** Download the model (its {@link #subject()}) before using it. */
        DOWNLOAD_FIRST,
        /** Remove the model's files first (to change its source, or instead of deleting a catalog model). */
        REMOVE_FILES,
        /** Give the model a source to download from. */
        SET_SOURCE
    }

    private final Kind kind;
    private final Hint hint;
    private final String subject;

    public ModeldException(Kind kind, String message) {
        this(kind, message, null, null);
    }

    /** A failure with a hint about {@code subject} (a model's id) that each door words its own way. */
    public ModeldException(Kind kind, String message, Hint hint, String subject) {
        super(message);
        this.kind = kind;
        this.hint = hint;
        this.subject = subject;
    }

    public Kind kind() {
        return kind;
    }

    /** What to do about it, or null. */
    public Hint hint() {
        return hint;
    }

    /** The model the hint is about (its id), or null. */
    public String subject() {
        return subject;
    }

    public static ModeldException invalid(String message) {
        return new ModeldException(Kind.INVALID, message);
    }

    public static ModeldException unknownModel(String model) {
        return new ModeldException(Kind.UNKNOWN_MODEL, "model '" + model + "' not found", Hint.LIST_MODELS, model);
    }

    public static ModeldException conflict(String message) {
        return new ModeldException(Kind.CONFLICT, message);
    }

    public static ModeldException forbidden(String message) {
        return new ModeldException(Kind.FORBIDDEN, message);
    }
}
