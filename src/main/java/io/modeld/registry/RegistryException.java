package io.modeld.registry;

/**
 * A registry said no, or could not be reached. {@code retryable}: a dropped connection, a 5xx or 429,
 * worth another try; otherwise the answer will not change (401 without credentials, 404, a bad manifest).
 * Messages never carry credentials or tokens.
 */
public final class RegistryException extends Exception {

    private final boolean retryable;

    RegistryException(String message, boolean retryable) {
        super(message, null, false, false);
        this.retryable = retryable;
    }

    public boolean retryable() {
        return retryable;
    }
}
