package io.peerd.config;

import static io.peerd.testkit.Await.await;
import static io.peerd.testkit.Await.failure;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
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

  @TempDir Path dir;

  @Test
  void loadsAFile(Vertx vertx) throws Exception {
    Path file = dir.resolve("p.json");
    // state_dir given: its default (state/<name>) lies in the working directory, which a test must
    // not read.
    Files.writeString(
        file,
        new JsonObject()
            .put("name", "p")
            .put("rest_port", 8123)
            .put("shared_dir", dir.toString())
            .put("state_dir", dir.resolve("state").toString())
            .encode());
    PeerConfig c = await(ConfigLoader.load(vertx, file.toString(), Map.of("PEER_NAME", "q")));
    assertEquals("q", c.node().name());
    assertEquals(8123, c.node().restPort());
  }

  @Test
  void missingFileIsAnErrorNamingIt(Vertx vertx) {
    String path = dir.resolve("nope.json").toString();
    Throwable e = failure(ConfigLoader.load(vertx, path, Map.of()));
    assertInstanceOf(ConfigException.class, e);
    assertEquals(path + ": config file not found", e.getMessage());
  }

  @Test
  void malformedJsonIsAnErrorNamingTheFile(Vertx vertx) throws Exception {
    Path file = dir.resolve("bad.json");
    Files.writeString(file, "{\"name\": \"p\",");
    Throwable e = failure(ConfigLoader.load(vertx, file.toString(), Map.of()));
    assertInstanceOf(ConfigException.class, e);
    String prefix = file + ": cannot be read as a JSON object: ";
    assertTrue(e.getMessage().startsWith(prefix), e.getMessage());
    // The rest is the parser's own words for a file cut short; not pinned whole, they change with
    // Jackson.
    assertTrue(e.getMessage().substring(prefix.length()).contains("end-of-input"), e.getMessage());
  }
}
