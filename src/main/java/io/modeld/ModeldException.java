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
        INSUFFICIENT_STORAGE(507);

        public final int status;

        Kind(int status) {
            this.status = status;
        }
    }

    private final Kind kind;

    public ModeldException(Kind kind, String message) {
        super(message);
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }

    public static ModeldException invalid(String message) {
        return new ModeldException(Kind.INVALID, message);
    }

    public static ModeldException unknownModel(String model) {
        return new ModeldException(Kind.UNKNOWN_MODEL,
                "no model '" + model + "': list the models with GET /models");
    }

    public static ModeldException conflict(String message) {
        return new ModeldException(Kind.CONFLICT, message);
    }

    public static ModeldException forbidden(String message) {
        return new ModeldException(Kind.FORBIDDEN, message);
    }
}
