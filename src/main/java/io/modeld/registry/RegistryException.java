package io.modeld.registry;

/**
 * A registry said no, or could not be reached. {@code retryable}: a dropped connection, a 5xx or 429,
 * worth another try; otherwise the answer will not change (401 without credentials, 404, a bad manifest).
 * Messages never carry credentials or tokens.
 */
public final class RegistryException extends Exception {

    private final boolean retryable;
    private final boolean notFound;

    RegistryException(String message, boolean retryable) {
        this(message, retryable, false);
    }

    private RegistryException(String message, boolean retryable, boolean notFound) {
        super(message, null, false, false);
        this.retryable = retryable;
        this.notFound = notFound;
    }

    /** The registry has no such manifest or blob (a 404). */
    static RegistryException notFound(String message) {
        return new RegistryException(message, false, true);
    }

    public boolean retryable() {
        return retryable;
    }

    /** Whether the registry said it has no such thing. */
    public boolean notFound() {
        return notFound;
    }
}
