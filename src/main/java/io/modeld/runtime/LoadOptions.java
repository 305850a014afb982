package io.modeld.runtime;

import java.time.Duration;

/**
 * How a request wants its model loaded: a context size in tokens (0: the model's own default) and a
 * keep-alive (null: the daemon's; negative: for ever; zero: unload once the request is done).
 */
public record LoadOptions(int context, Duration keepAlive) {

    public static final LoadOptions DEFAULT = new LoadOptions(0, null);
}
