package io.modeld.config;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.spi.ContextAwareBase;

/**
 * The log's console set-up, in code: INFO and up to standard error, Jetty and Javalin from WARN. The file
 * in the data dir is added by {@link LogBuffer} and the CLI's {@code LogFile}.
 *
 * <p>Why not a {@code logback.xml}: reading one loads an XML parser and about 500 of logback's configuration
 * classes, 0.2 s of the daemon's 1.8 s to its first answer on the 2-core test machine (class-load log,
 * {@code -Xlog:class+load}). Logback finds this class through {@code META-INF/services} before it looks
 * for a file; when a {@code logback-test.xml} or {@code -Dlogback.configurationFile} is there (the tests,
 * a user's own set-up), it steps aside and logback reads that.
 */
public final class ConsoleLog extends ContextAwareBase implements Configurator {

    private static final String PATTERN = "%d{HH:mm:ss.SSS} %-5level %logger{20} - %msg%n";

    /**
     * Writes the console's log as JSON, one object a line (logback's {@code JsonEncoder}: timestamp, level, thread,
     * logger, message, and the exception when there is one), for a log collector; false when the console is not this
     * class's (a logback set-up of the user's own, which then decides).
     */
    public static boolean json() {
        LoggerContext context = (LoggerContext) org.slf4j.LoggerFactory.getILoggerFactory();
        if (!(context.getLogger(Logger.ROOT_LOGGER_NAME).getAppender("console")
                instanceof ConsoleAppender<ILoggingEvent> console)) {
            return false;
        }
        ch.qos.logback.classic.encoder.JsonEncoder encoder = new ch.qos.logback.classic.encoder.JsonEncoder();
        encoder.setContext(context);
        encoder.start();
        console.stop();
        console.setEncoder(encoder);
        console.start();
        return true;
    }

    @Override
    public ExecutionStatus configure(LoggerContext context) {
        if (System.getProperty("logback.configurationFile") != null
                || ConsoleLog.class.getClassLoader().getResource("logback-test.xml") != null) {
            return ExecutionStatus.INVOKE_NEXT_IF_ANY;
        }
        PatternLayoutEncoder encoder = new PatternLayoutEncoder();
        encoder.setContext(context);
        encoder.setPattern(PATTERN);
        encoder.start();
        ConsoleAppender<ILoggingEvent> console = new ConsoleAppender<>();
        console.setContext(context);
        console.setName("console");
        console.setTarget("System.err");
        console.setEncoder(encoder);
        console.start();
        Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
        root.setLevel(Level.INFO);
        root.addAppender(console);
        context.getLogger("org.eclipse.jetty").setLevel(Level.WARN);
        context.getLogger("io.javalin").setLevel(Level.WARN);
        return ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY;
    }
}
