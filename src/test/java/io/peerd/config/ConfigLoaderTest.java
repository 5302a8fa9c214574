package io.peerd.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

@ExtendWith(VertxExtension.class)
@Tag("unit")
class ConfigLoaderTest {

  @TempDir
  Path dir;

  @Test
  void loadsAFileThroughVertxConfig(Vertx vertx, VertxTestContext ctx) throws Exception {
    Path file = dir.resolve("p.json");
    Files.writeString(file, "{\"name\":\"p\",\"rest_port\":8123,\"shared_dir\":\"" + dir + "\"}");
    ConfigLoader.load(vertx, file.toString(), Map.of("PEER_NAME", "q")).onComplete(ctx.succeeding(c -> ctx.verify(() -> {
      assertEquals("q", c.node().name());
      assertEquals(8123, c.node().restPort());
      ctx.completeNow();
    })));
  }

  @Test
  void missingFileIsAnErrorNamingIt(Vertx vertx, VertxTestContext ctx) {
    String path = dir.resolve("nope.json").toString();
    ConfigLoader.load(vertx, path, Map.of()).onComplete(ctx.failing(e -> ctx.verify(() -> {
      assertInstanceOf(ConfigException.class, e);
      assertTrue(e.getMessage().startsWith(path), e.getMessage());
      ctx.completeNow();
    })));
  }

  @Test
  void malformedJsonIsAnErrorNamingTheFile(Vertx vertx, VertxTestContext ctx) throws Exception {
    Path file = dir.resolve("bad.json");
    Files.writeString(file, "{\"name\": \"p\",");
    ConfigLoader.load(vertx, file.toString(), Map.of()).onComplete(ctx.failing(e -> ctx.verify(() -> {
      assertInstanceOf(ConfigException.class, e);
      assertTrue(e.getMessage().startsWith(file.toString()), e.getMessage());
      ctx.completeNow();
    })));
  }
}
