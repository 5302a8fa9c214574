package io.peerd.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@Tag("unit")
class ConfigParserTest {

  @TempDir Path dir;

  /** The seed's configs/peer1.json with only its paths changed. */
  private JsonObject seedPeer1() {
    return new JsonObject(
        """
        {
          "name": "peer1", "ip": "0.0.0.0", "rest_port": 8001, "grpc_port": 50051,
          "metrics_port": 9001, "shared_dir": "%s",
          "friend_primary": "http://peer2:8002", "friend_secondary": "http://peer3:8003",
          "self_url": "http://peer1:8001", "health_check_interval": 30,
          "search_ttl": 3, "max_fanout": 3,
          "rate_limit": {"requests_per_minute": 100, "downloads_per_minute": 10}
        }"""
            .formatted(dir.toString().replace("\\", "\\\\")));
  }

  @Test
  void acceptsTheSeedConfigWithItsMeaning() {
    PeerConfig c = ConfigParser.parse("seed.json", seedPeer1(), Map.of());
    assertEquals("peer1", c.node().name());
    assertEquals("0.0.0.0", c.node().bindHost(), "the seed's ip is the bind address");
    assertEquals(8001, c.node().restPort());
    assertEquals(50051, c.node().grpcPort());
    assertEquals(9001, c.node().metricsPort());
    assertEquals(List.of("http://peer2:8002", "http://peer3:8003"), c.friends());
    assertEquals("http://peer1:8001", c.advertisedUrl(8001));
    assertEquals(Duration.ofSeconds(30), c.timeouts().healthCheck());
    assertEquals(3, c.routing().searchTtl());
    assertEquals(100, c.limits().requestsPerMinute());
    assertEquals(10, c.limits().downloadsPerMinute());
  }

  @Test
  void defaultsAreUsableAndSelfUrlIsDerivedFromAWildcardIp() {
    PeerConfig c =
        ConfigParser.parse(
            "t", new JsonObject().put("shared_dir", dir.toString()).put("ip", "0.0.0.0"), Map.of());
    assertEquals(8001, c.node().restPort());
    assertEquals(-1, c.node().grpcPort());
    assertTrue(c.friends().isEmpty());
    assertEquals(
        "http://127.0.0.1:4242", c.advertisedUrl(4242), "a wildcard is no address to advertise");
  }

  @Test
  void aFriendWrittenIdAtUrlIsPinnedToThatId() {
    io.peerd.identity.PeerId id = io.peerd.identity.Identity.generate().id();
    JsonObject json =
        seedPeer1()
            .put(
                "friends",
                new JsonArray()
                    .add(id.toString().toLowerCase() + "@http://PEER4:8004/")
                    .add("http://peer2:8002"));
    PeerConfig c = ConfigParser.parse("t", json, Map.of());
    assertEquals(
        List.of("http://peer2:8002", "http://peer3:8003", "http://peer4:8004"), c.friends());
    assertEquals(Map.of("http://peer4:8004", id), c.trust().pins());
    // A typo in the id is caught by its check characters, and names the key.
    String typo =
        id.toString().charAt(0) == 'A'
            ? "B" + id.toString().substring(1)
            : "A" + id.toString().substring(1);
    ConfigException e =
        org.junit.jupiter.api.Assertions.assertThrows(
            ConfigException.class,
            () ->
                ConfigParser.parse(
                    "t",
                    seedPeer1().put("friends", new JsonArray().add(typo + "@http://x:1")),
                    Map.of()));
    assertTrue(
        e.getMessage().contains("friends") && e.getMessage().contains("check character"),
        e.getMessage());
    // Pinned friends need an id of this peer's own to check them with.
    JsonObject off =
        seedPeer1().put("identity", false).put("friends", new JsonArray().add(id + "@http://x:1"));
    assertThrows(ConfigException.class, () -> ConfigParser.parse("t", off, Map.of()));
  }

  @Test
  void friendsListIsMergedWithSeedFriendsAndDeduplicated() {
    JsonObject json =
        seedPeer1().put("friends", new JsonArray().add("http://PEER2:8002/").add("https://x:9"));
    assertEquals(
        List.of("http://peer2:8002", "http://peer3:8003", "https://x:9"),
        ConfigParser.parse("t", json, Map.of()).friends());
  }

  @Test
  void environmentOverridesFileValuesWithTypes() {
    PeerConfig c =
        ConfigParser.parse(
            "t",
            seedPeer1(),
            Map.of(
                "PEER_REST_PORT", "8005",
                "PEER_NAME", "renamed",
                "PEER_FRIENDS", "http://a:1, http://b:2",
                "PEER_HEALTH_CHECK_INTERVAL", "2.5",
                "PEER_RATE_LIMIT_DOWNLOADS_PER_MINUTE", "7",
                "UNRELATED", "x"));
    assertEquals(8005, c.node().restPort());
    assertEquals("renamed", c.node().name());
    assertTrue(c.friends().containsAll(List.of("http://a:1", "http://b:2")));
    assertEquals(Duration.ofMillis(2500), c.timeouts().healthCheck());
    assertEquals(100, c.limits().requestsPerMinute());
    assertEquals(7, c.limits().downloadsPerMinute());
  }

  @Test
  void badEnvironmentValueNamesTheVariable() {
    ConfigException e =
        assertThrows(
            ConfigException.class,
            () -> ConfigParser.parse("t", seedPeer1(), Map.of("PEER_REST_PORT", "eighty")));
    assertTrue(e.getMessage().contains("PEER_REST_PORT"), e.getMessage());
  }

  @Test
  void wrongTypesNameTheFileAndTheKey() {
    assertBad(seedPeer1().put("rest_port", "8001"), "\"rest_port\"");
    assertBad(seedPeer1().put("rest_port", 70000), "\"rest_port\"");
    assertBad(seedPeer1().put("rest_port", 80.5), "\"rest_port\"");
    assertBad(seedPeer1().put("health_check_interval", -1), "\"health_check_interval\"");
    assertBad(seedPeer1().put("search_ttl", "three"), "\"search_ttl\"");
    assertBad(seedPeer1().put("friend_primary", "gopher://x:70"), "\"friend_primary\"");
    assertBad(seedPeer1().put("friends", "http://a:1"), "\"friends\"");
    assertBad(seedPeer1().put("friends", new JsonArray().add(5)), "\"friends\"");
    assertBad(seedPeer1().put("self_url", "http://nohostport"), "\"self_url\"");
    assertBad(
        seedPeer1().put("rate_limit", new JsonObject().put("requests_per_minute", -3)),
        "\"rate_limit.requests_per_minute\"");
    assertBad(seedPeer1().put("name", 12), "\"name\"");
    assertBad(seedPeer1().put("api_token", "short"), "\"api_token\"");
    assertBad(seedPeer1().put("private", true), "\"private\"");
    assertBad(seedPeer1().put("upload_dir", ".hidden"), "\"upload_dir\"");
    assertBad(seedPeer1().put("log_format", "xml"), "\"log_format\"");
  }

  @Test
  void sharedDirMustExist() {
    assertBad(seedPeer1().put("shared_dir", dir.resolve("missing").toString()), "\"shared_dir\"");
  }

  @Test
  void emptyFriendStringsMeanNoFriendAsInTheSeed() {
    PeerConfig c =
        ConfigParser.parse(
            "t", seedPeer1().put("friend_primary", "").put("friend_secondary", ""), Map.of());
    assertTrue(c.friends().isEmpty());
    assertNull(ConfigParser.parse("t", seedPeer1().put("self_url", ""), Map.of()).node().selfUrl());
  }

  @Test
  void environmentTextIsTrimmedAsAShellOrAnEnvFileLeavesIt() {
    PeerConfig c =
        ConfigParser.parse(
            "t",
            seedPeer1(),
            Map.of("PEER_SEARCH_MODE", "walk ", "PEER_SHARED_DIR", dir + "\r", "PEER_NAME", " p "));
    assertEquals(io.peerd.routing.Mode.WALK, c.routing().mode());
    assertEquals(dir.toAbsolutePath(), c.sharedDir());
    assertEquals("p", c.node().name());
  }

  @Test
  void aNumberPastALongIsRefusedNotWrappedAround() {
    // 2^64 + 8001: longValue() of it is 8001.
    JsonObject json =
        seedPeer1().put("rest_port", new java.math.BigInteger("18446744073709559617"));
    assertBad(json, "\"rest_port\"");
    assertBad(seedPeer1().put("upload_max_bytes", 1e19), "\"upload_max_bytes\"");
  }

  private static void assertBad(JsonObject json, String key) {
    ConfigException e =
        assertThrows(
            ConfigException.class, () -> ConfigParser.parse("conf/x.json", json, Map.of()));
    assertTrue(e.getMessage().startsWith("conf/x.json: key "), e.getMessage());
    assertTrue(e.getMessage().contains(key), e.getMessage());
  }
}
