package io.peerd.wire;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import io.peerd.search.FileHit;
import io.peerd.search.PeerResult;
import io.peerd.search.SearchAnswer;
import io.peerd.search.Unreachable;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The hand-written answers are byte for byte what Vert.x's JsonObject (Jackson) wrote for the same
 * values before: a client, a seed peer or a test that compared bytes sees no change.
 */
@Tag("unit")
class JsonTextTest {

  /** Text with every kind of character a file name or a URL can carry. */
  private static String text(Random rnd) {
    String pool = "aZ09 _-./\"\\\n\r\t\b\f\u0000\u0001\u001f\u007fé€ü\u4e2d😀%?&=";
    StringBuilder b = new StringBuilder();
    int n = rnd.nextInt(24);
    for (int i = 0; i < n; i++) {
      int at = rnd.nextInt(pool.length());
      char c = pool.charAt(at);
      if (Character.isHighSurrogate(c)) {
        b.append(c).append(pool.charAt(at + 1));
      } else {
        b.append(c); // a lone low surrogate: not text, but a name can hold one
      }
    }
    return b.toString();
  }

  private static FileHit hit(Random rnd) {
    boolean seedPeer = rnd.nextInt(4) == 0;
    return new FileHit(
        text(rnd),
        rnd.nextLong(),
        rnd.nextInt(3) == 0 ? -1 : rnd.nextInt(Integer.MAX_VALUE),
        rnd.nextBoolean() ? null : text(rnd),
        rnd.nextBoolean() ? null : text(rnd),
        text(rnd),
        seedPeer ? null : text(rnd),
        seedPeer ? null : text(rnd),
        seedPeer ? null : "ab".repeat(32),
        seedPeer ? null : text(rnd),
        rnd.nextInt(5) == 0);
  }

  // What WireJson wrote before it had JsonText.
  private static JsonObject jackson(FileHit f) {
    JsonObject o =
        new JsonObject()
            .put("name", f.name())
            .put("size", f.size())
            .put("mtime", f.mtime())
            .put("checksum", f.checksum())
            .put("extension", f.extension())
            .put("type", f.type());
    if (f.restUrl() != null) {
      o.put("rest_url", f.restUrl());
    }
    if (f.grpc() != null) {
      o.put("grpc", f.grpc());
    }
    if (f.root() != null) {
      o.put("root", f.root());
    }
    if (f.magnet() != null) {
      o.put("magnet", f.magnet());
    }
    if (f.partial()) {
      o.put("partial", true);
    }
    return o;
  }

  private static JsonArray jackson(List<FileHit> files) {
    JsonArray a = new JsonArray();
    files.forEach(f -> a.add(jackson(f)));
    return a;
  }

  @Test
  void filesAndSearchAnswersAreTheBytesJacksonWrote() {
    Random rnd = new Random(20261202);
    for (int round = 0; round < 300; round++) {
      List<FileHit> files = new ArrayList<>();
      int n = rnd.nextInt(6);
      for (int i = 0; i < n; i++) {
        files.add(hit(rnd));
      }
      FileHit spliced = files.isEmpty() ? null : files.get(0);
      WireJson.Fragments known = f -> f == spliced ? WireJson.file(f) : null;
      String peer = text(rnd);
      String base = text(rnd);
      assertArrayEquals(
          new JsonObject()
              .put("peer", peer)
              .put("base", base)
              .put("files", jackson(files))
              .toBuffer()
              .getBytes(),
          WireJson.filesAnswer(peer, base, files, known).getBytes());

      List<PeerResult> results = List.of(new PeerResult(peer, files, rnd.nextInt(5) - 1));
      List<Unreachable> unreachable =
          rnd.nextBoolean() ? List.of() : List.of(new Unreachable(text(rnd), text(rnd)));
      SearchAnswer a =
          new SearchAnswer(
              rnd.nextBoolean() ? null : text(rnd),
              text(rnd),
              rnd.nextInt(8),
              rnd.nextInt(4),
              results,
              unreachable,
              rnd.nextBoolean(),
              rnd.nextInt(9),
              rnd.nextInt(2000),
              rnd.nextInt(6) == 0);
      JsonArray res = new JsonArray();
      for (PeerResult r : a.results()) {
        res.add(
            new JsonObject()
                .put("peer", r.peer())
                .put("hops", r.hops())
                .put("files", jackson(r.files())));
      }
      JsonArray un = new JsonArray();
      a.unreachable()
          .forEach(u -> un.add(new JsonObject().put("peer", u.peer()).put("reason", u.reason())));
      JsonObject o =
          new JsonObject()
              .put("query", a.query())
              .put("ttl", a.ttl())
              .put("fanout_used", a.fanoutUsed())
              .put("results", res)
              .put("id", a.id())
              .put("partial", a.partial())
              .put("unreachable", un)
              .put("peers_answered", a.peersAnswered())
              .put("elapsed_ms", a.elapsedMs());
      if (a.duplicate()) {
        o.put("duplicate", true);
      }
      assertArrayEquals(o.toBuffer().getBytes(), WireJson.searchAnswer(a, known).getBytes());
      assertArrayEquals(
          res.getJsonObject(0).toBuffer().getBytes(),
          WireJson.peerResult(results.get(0), known).getBytes());
      o.remove("results");
      assertArrayEquals(o.toBuffer().getBytes(), WireJson.searchSummary(a).getBytes());
    }
  }

  private static Object anyValue(Random rnd, int depth) {
    return switch (rnd.nextInt(depth > 3 ? 8 : 10)) {
      case 0 -> null;
      case 1 -> text(rnd);
      case 2 -> rnd.nextInt();
      case 3 -> rnd.nextLong();
      case 4 -> rnd.nextDouble() * Math.pow(10, rnd.nextInt(40) - 20);
      case 5 -> rnd.nextBoolean();
      case 6 -> (float) rnd.nextDouble();
      case 7 -> java.time.Instant.ofEpochMilli(rnd.nextLong() >>> 24);
      case 8 -> anyObject(rnd, depth + 1);
      default -> {
        JsonArray a = new JsonArray();
        for (int i = rnd.nextInt(4); i > 0; i--) {
          a.add(anyValue(rnd, depth + 1));
        }
        yield a;
      }
    };
  }

  private static JsonObject anyObject(Random rnd, int depth) {
    JsonObject o = new JsonObject();
    for (int i = rnd.nextInt(5); i > 0; i--) {
      o.put(text(rnd), anyValue(rnd, depth));
    }
    return o;
  }

  @Test
  void anyJsonObjectIsTheBytesOfItsToBuffer() {
    Random rnd = new Random(7);
    for (int i = 0; i < 500; i++) {
      JsonObject o = anyObject(rnd, 0);
      assertArrayEquals(o.toBuffer().getBytes(), JsonText.encode(o).getBytes(), o.encode());
    }
  }

  @Test
  void nestingNumbersAndRawValues() {
    JsonText w = new JsonText(4);
    w.beginObject()
        .field("a", 1)
        .key("b")
        .beginArray()
        .value(true)
        .nullValue()
        .value(2.5)
        .beginObject()
        .endObject()
        .beginArray()
        .endArray()
        .raw("{\"x\":[1]}".getBytes(StandardCharsets.UTF_8))
        .endArray()
        .field("c", Long.MIN_VALUE)
        .key("d")
        .value(3.0E-4)
        .key("e")
        .value(Double.NaN)
        .endObject();
    JsonObject same =
        new JsonObject()
            .put("a", 1)
            .put(
                "b",
                new JsonArray()
                    .add(true)
                    .addNull()
                    .add(2.5)
                    .add(new JsonObject())
                    .add(new JsonArray())
                    .add(new JsonObject().put("x", new JsonArray().add(1))))
            .put("c", Long.MIN_VALUE)
            .put("d", 3.0E-4)
            .put("e", Double.NaN);
    assertArrayEquals(same.toBuffer().getBytes(), w.toBytes());
  }
}
