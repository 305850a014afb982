package io.modeld.config;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.slf4j.LoggerFactory;

/**
 * The daemon's last {@value #KEPT} log lines in memory, and every new one handed to listeners (the
 * dashboard's log WebSocket), as they are written to {@code logs/modeld.log}: time, level, logger, message.
 */
public final class LogBuffer extends AppenderBase<ILoggingEvent> {

    static final int KEPT = 1000;

    private final Deque<String> lines = new ArrayDeque<>();
    private final List<Consumer<String>> listeners = new CopyOnWriteArrayList<>();

    /** A buffer attached to the root logger until {@link #detach}. */
    public static LogBuffer attach() {
        LogBuffer b = new LogBuffer();
        b.setContext((LoggerContext) LoggerFactory.getILoggerFactory());
        b.setName("modeld-log-buffer");
        b.start();
        root().addAppender(b);
        return b;
    }

    private static Logger root() {
        return (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    }

    public void detach() {
        root().detachAppender(this);
        stop();
    }

    @Override
    protected void append(ILoggingEvent e) {
        String logger = e.getLoggerName();
        String line = Instant.ofEpochMilli(e.getTimeStamp()) + " " + e.getLevel() + " "
                + logger.substring(logger.lastIndexOf('.') + 1) + " - " + e.getFormattedMessage();
        synchronized (lines) {
            lines.addLast(line);
            while (lines.size() > KEPT) {
                lines.removeFirst();
            }
        }
        listeners.forEach(l -> l.accept(line));
    }

    /** The last {@code n} lines, oldest first. */
    public List<String> last(int n) {
        synchronized (lines) {
            List<String> all = List.copyOf(lines);
            return all.subList(Math.max(0, all.size() - n), all.size());
        }
    }

    /** Calls {@code listener} with every new line until the returned handle is closed. Listeners must not block. */
    public AutoCloseable follow(Consumer<String> listener) {
        listeners.add(listener);
        return () -> listeners.remove(listener);
    }
}
