package io.modeld.engine;

/** llama.cpp could not do what was asked; the message says why, with llama.cpp's own words when it gave any. */
public final class EngineException extends Exception {

    /** What kind of failure, which decides how the daemon answers. */
    public enum Kind {
        /** The library is missing, or of a version whose API this modeld does not speak. */
        LIBRARY,
        /** The model file is not one llama.cpp can load. */
        MODEL,
        /** The request does not fit the model: a prompt longer than the context, a grammar that does not parse. */
        INPUT,
        /** A step of the request ran past its deadline and was ended (the runner may have been restarted). */
        DEADLINE,
        /** Anything else that failed inside llama.cpp. */
        RUNTIME
    }

    private final Kind kind;

    public EngineException(Kind kind, String message) {
        super(message);
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }
}
