package io.peerd.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.JsonEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import org.slf4j.LoggerFactory;

/** Log setup: Vert.x and Netty through SLF4J/logback; plain lines, or JSON lines on request. */
final class Logging {

  private Logging() {}

  /** Before any Vert.x class logs: route its logging through SLF4J. */
  static void routeVertxToSlf4j() {
    System.setProperty(
        "vertx.logger-delegate-factory-class-name",
        "io.vertx.core.logging.SLF4JLogDelegateFactory");
  }

  /**
   * @param format "plain" (default) or "json"; level as logback names it (INFO, DEBUG, ...)
   */
  static void apply(String format, String level) {
    LoggerContext ctx = (LoggerContext) LoggerFactory.getILoggerFactory();
    Logger root = ctx.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    root.setLevel(Level.toLevel(level, Level.INFO));
    if (!"json".equals(format)) {
      return;
    }
    JsonEncoder encoder = new JsonEncoder();
    encoder.setContext(ctx);
    encoder.start();
    ConsoleAppender<ILoggingEvent> json = new ConsoleAppender<>();
    json.setContext(ctx);
    json.setName("JSON");
    json.setTarget("System.err");
    json.setEncoder(encoder);
    json.start();
    root.detachAndStopAllAppenders();
    root.addAppender(json);
  }
}
