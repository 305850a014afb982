package io.modeld.cli;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.rolling.RollingFileAppender;
import ch.qos.logback.core.rolling.SizeAndTimeBasedRollingPolicy;
import ch.qos.logback.core.util.FileSize;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Sends the daemon's log to {@code <data-dir>/logs/modeld.log} as well, rolled daily and kept a week. */
final class LogFile {

    private LogFile() {
    }

    static void attach(Path file) {
        try {
            java.nio.file.Files.createDirectories(file.getParent());
            io.modeld.config.PrivateFiles.file(file);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("cannot create the log file " + file, e);
        }
        LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
        PatternLayoutEncoder encoder = new PatternLayoutEncoder();
        encoder.setContext(context);
        encoder.setPattern("%d{ISO8601} %-5level [%thread] %logger{36} - %msg%n");
        encoder.start();
        RollingFileAppender<ILoggingEvent> appender = new RollingFileAppender<>();
        appender.setContext(context);
        appender.setName("file");
        appender.setFile(file.toString());
        appender.setEncoder(encoder);
        SizeAndTimeBasedRollingPolicy<ILoggingEvent> policy = new SizeAndTimeBasedRollingPolicy<>();
        policy.setContext(context);
        policy.setParent(appender);
        policy.setFileNamePattern(file.toString().replace(".log", "") + ".%d{yyyy-MM-dd}.%i.log");
        policy.setMaxFileSize(FileSize.valueOf("20MB"));
        policy.setMaxHistory(7);
        policy.start();
        appender.setRollingPolicy(policy);
        appender.start();
        context.getLogger(Logger.ROOT_LOGGER_NAME).addAppender(appender);
    }
}
