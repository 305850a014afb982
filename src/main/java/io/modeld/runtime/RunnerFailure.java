package io.modeld.runtime;

import io.modeld.ModeldException;

/** A runner could not do what it was asked, or died; the kind decides how the daemon answers. */
public final class RunnerFailure extends Exception {

    /** What went wrong, and the API status it becomes. */
    public enum Kind {
        /** llama.cpp's library is missing or unsupported: nothing loads until that is fixed. */
        LIBRARY(ModeldException.Kind.UNAVAILABLE),
        /** llama.cpp rejected the model file. */
        MODEL(ModeldException.Kind.UNPROCESSABLE),
        /** The request does not fit the model (prompt too long, a grammar that does not parse). */
        INPUT(ModeldException.Kind.INVALID),
        /**
         * A step of this request (rendering, tokenizing, sampling, decoding) ran past the step deadline; what
         * it asks takes too long on this model and machine.
         */
        DEADLINE(ModeldException.Kind.UNPROCESSABLE),
        /** llama.cpp failed while working; a retry may succeed. */
        RUNTIME(ModeldException.Kind.UNAVAILABLE),
        /** The runner process ended, was killed, or did not answer in time. */
        DIED(ModeldException.Kind.UNAVAILABLE);

        final ModeldException.Kind api;

        Kind(ModeldException.Kind api) {
            this.api = api;
        }

        /** The kind a runner's error event names (an engine failure kind), RUNTIME when unknown. */
        static Kind of(String name) {
            try {
                return name == null ? RUNTIME : valueOf(name);
            } catch (IllegalArgumentException e) {
                return RUNTIME;
            }
        }
    }

    private final Kind kind;

    public RunnerFailure(Kind kind, String message) {
        super(message);
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }

    /** The failure as the API tells it. */
    ModeldException toApi() {
        return new ModeldException(kind.api, getMessage());
    }
}
