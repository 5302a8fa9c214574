package io.peerd.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.spi.ContextAwareBase;

/**
 * The default log setup, in code rather than a logback.xml: reading XML loads about 500 classes
 * (logback's Joran and the JDK's XML parser), a quarter of a second of start-up. Plain lines on
 * stderr; Netty and Vert.x only from WARN. {@link Logging#apply} switches to JSON and sets the
 * level once the peer's configuration is read. Found by logback through the ServiceLoader.
 */
public final class LogConfigurator extends ContextAwareBase implements Configurator {

  @Override
  public ExecutionStatus configure(LoggerContext ctx) {
    PatternLayoutEncoder encoder = new PatternLayoutEncoder();
    encoder.setContext(ctx);
    encoder.setPattern("%d{yyyy-MM-dd'T'HH:mm:ss.SSSXXX} %-5level %logger{20} %msg%n");
    encoder.start();
    ConsoleAppender<ILoggingEvent> plain = new ConsoleAppender<>();
    plain.setContext(ctx);
    plain.setName("PLAIN");
    plain.setTarget("System.err");
    plain.setEncoder(encoder);
    plain.start();
    ch.qos.logback.classic.Logger root = ctx.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    root.setLevel(Level.INFO);
    root.addAppender(plain);
    ctx.getLogger("io.netty").setLevel(Level.WARN);
    ctx.getLogger("io.vertx").setLevel(Level.WARN);
    // Vert.x re-creates a client pool (and registers its gauges again) after a peer refused a
    // connection; Micrometer warns about the second registration once per process. Nothing is
    // wrong and nothing is lost, so an operator need not read it.
    ctx.getLogger("io.micrometer.core.instrument.MeterRegistry").setLevel(Level.ERROR);
    // "Connection evicted": a pooled connection to a peer closed (the peer went away or timed
    // it out). What that costs a transfer is said by our own code, in words a user can act on.
    ctx.getLogger("io.vertx.core.http.impl.HttpClientConnectionInternal").setLevel(Level.ERROR);
    return ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY;
  }
}
