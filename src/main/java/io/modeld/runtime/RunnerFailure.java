package io.modeld.runtime;

/** A runner could not load its model, or died or failed while generating; the message says why. */
public final class RunnerFailure extends Exception {

    public RunnerFailure(String message) {
        super(message);
    }
}
