package io.peerd.downloads;

import static io.peerd.testkit.Await.await;
import static io.peerd.testkit.Await.until;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.peerd.node.PeerVerticle;
import io.peerd.rpc.proto.DownloadRequest;
import io.peerd.rpc.proto.FileTransferGrpcClient;
import io.peerd.testkit.Grpc;
import io.peerd.testkit.Http;
import io.peerd.testkit.Peers;
import io.peerd.testkit.TestFiles;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.grpc.common.GrpcStatus;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.BitSet;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three peers fetch the same file from one slow seeder at the same time: while they run, each
 * serves the pieces it has verified (and refuses the others), finds the other two by a root search,
 * and takes pieces from them, so the seeder uploads well under three copies.
 */
@ExtendWith(VertxExtension.class)
@Tag("network")
class PartialSharingTest {

  static final int SIZE = 24 << 20;
  static final long SEEDER_RATE = 2 << 20;
  static final Duration BOUND = Duration.ofSeconds(90);

  @TempDir Path tmp;

  PeerVerticle downloader(Vertx vertx, String name, PeerVerticle seeder) throws Exception {
    Path share = Files.createDirectories(tmp.resolve(name));
    return Peers.started(
        vertx,
        name,
        share,
        List.of(seeder.selfUrl()),
        new JsonObject().put("state_dir", tmp.resolve(name + "-state").toString()));
  }

  static JsonObject download(Http http, PeerVerticle p, String id) {
    return http.getJson(p, "/downloads/" + id);
  }

  @Test
  void threeDownloadsOfOneSlowSeedersFileHelpEachOther(Vertx vertx) throws Exception {
    Http http = new Http(vertx);
    Grpc grpc = new Grpc(vertx);
    Path share = Files.createDirectories(tmp.resolve("seed"));
    TestFiles.Written film = TestFiles.random(share, "film.bin", SIZE, 8);
    PeerVerticle seeder =
        Peers.started(
            vertx,
            "seed",
            share,
            List.of(),
            new JsonObject().put("upload_rate_limit", SEEDER_RATE));
    List<PeerVerticle> peers = new ArrayList<>();
    for (String name : List.of("d1", "d2", "d3")) {
      peers.add(downloader(vertx, name, seeder));
    }
    for (PeerVerticle a : peers) {
      for (PeerVerticle b : peers) {
        if (a != b) {
          http.register(a, b);
        }
      }
    }
    String root =
        http.getJson(seeder, "/files").getJsonArray("files").getJsonObject(0).getString("root");
    List<String> ids = new ArrayList<>();
    for (PeerVerticle p : peers) {
      Http.Reply r = http.post(p, "/downloads", new JsonObject().put("root", root));
      assertEquals(202, r.status(), r.text());
      ids.add(r.json().getString("id"));
    }

    // Half-way at d1: its verified pieces are served, the others refused, nothing listed.
    PeerVerticle d1 = peers.get(0);
    JsonObject[] have = {null};
    until(
        "d1 has some pieces, not all",
        BOUND,
        () -> {
          Http.Reply r = http.get(d1, "/content/" + root + "/have");
          if (r.status() != 200) {
            return false; // not started yet: nothing to say
          }
          have[0] = r.json();
          return have[0].getInteger("count") > 0
              && have[0].getInteger("count") < have[0].getInteger("pieces");
        });
    assertFalse(have[0].getBoolean("complete"));
    int pieceSize = have[0].getInteger("piece_size");
    BitSet bits = BitSet.valueOf(Base64.getDecoder().decode(have[0].getString("have")));
    int got = bits.nextSetBit(0);
    Http.Reply piece =
        await(
            http.client()
                .get(d1.restPort(), "127.0.0.1", "/content/" + root)
                .putHeader("Range", range(got, pieceSize))
                .send()
                .map(r -> new Http.Reply(r.statusCode(), r.headers(), r.body())));
    assertEquals(206, piece.status(), piece.text());
    assertArrayEquals(
        Arrays.copyOfRange(film.bytes(), got * pieceSize, (got + 1) * pieceSize),
        piece.body().getBytes(),
        "a verified piece, byte for byte");
    // A piece it does not have is refused. It may arrive between the have-map and the request
    // (the others give pieces fast): then its bytes must be right, and another is tried.
    boolean[] refusedHttp = {false};
    boolean[] refusedGrpc = {false};
    until(
        "a piece d1 has not verified, refused over HTTP and gRPC",
        BOUND,
        () -> {
          Http.Reply now = http.get(d1, "/content/" + root + "/have");
          if (now.status() != 200 || now.json().getBoolean("complete")) {
            throw new AssertionError("d1 finished before a refusal was seen: " + now.text());
          }
          BitSet held = BitSet.valueOf(Base64.getDecoder().decode(now.json().getString("have")));
          int missing = held.previousClearBit(now.json().getInteger("pieces") - 1);
          if (missing < 0) {
            return false;
          }
          byte[] expected =
              Arrays.copyOfRange(film.bytes(), missing * pieceSize, (missing + 1) * pieceSize);
          Http.Reply r =
              await(
                  http.client()
                      .get(d1.restPort(), "127.0.0.1", "/content/" + root)
                      .putHeader("Range", range(missing, pieceSize))
                      .send()
                      .map(x -> new Http.Reply(x.statusCode(), x.headers(), x.body())));
          if (r.status() == 416) {
            assertEquals("range_not_satisfiable", r.error());
            refusedHttp[0] = true;
          } else {
            assertEquals(206, r.status(), r.text());
            assertArrayEquals(expected, r.body().getBytes(), "arrived since: right bytes");
          }
          Grpc.Download g =
              await(
                  grpc.collect(
                      d1.restPort(),
                      FileTransferGrpcClient.Download,
                      DownloadRequest.newBuilder()
                          .setRoot(root)
                          .setOffset((long) missing * pieceSize)
                          .setLength(pieceSize)
                          .build()));
          if (g.status() == GrpcStatus.OUT_OF_RANGE) {
            refusedGrpc[0] = true;
          } else {
            assertEquals(GrpcStatus.OK, g.status(), g.message());
            assertArrayEquals(expected, g.data().getBytes(), "arrived since: right bytes");
          }
          return refusedHttp[0] && refusedGrpc[0];
        });
    assertFalse(
        http.getJson(d1, "/files").encode().contains(root), "a partial file is not in /files");
    for (Object o : http.getJson(d1, "/search?query=film").getJsonArray("results")) {
      JsonObject result = (JsonObject) o;
      if (!result.getString("peer").equals(seeder.selfUrl())) {
        assertEquals(0, result.getJsonArray("files").size(), "nor in a name search: " + result);
      }
    }

    for (int i = 0; i < peers.size(); i++) {
      PeerVerticle p = peers.get(i);
      String id = ids.get(i);
      until(
          p.selfUrl() + " done",
          BOUND,
          () -> {
            JsonObject d = download(http, p, id);
            assertFalse("failed".equals(d.getString("state")), d.encode());
            return "done".equals(d.getString("state"));
          });
    }
    long fromSeeder = 0;
    long fromEachOther = 0;
    for (int i = 0; i < peers.size(); i++) {
      PeerVerticle p = peers.get(i);
      assertEquals(
          film.sha256(), TestFiles.sha256(tmp.resolve("d" + (i + 1) + "/downloads/film.bin")));
      for (Object o : download(http, p, ids.get(i)).getJsonArray("sources")) {
        JsonObject s = (JsonObject) o;
        if (s.getString("url").equals(seeder.selfUrl())) {
          fromSeeder += s.getLong("bytes");
        } else {
          fromEachOther += s.getLong("bytes");
        }
      }
    }
    long sent = (long) Peers.sentBytes(http, seeder, null);
    System.out.printf(
        "three downloads of %d MiB: %.2f copies from the seeder (its metrics: %.2f), %.2f from"
            + " each other%n",
        SIZE >> 20,
        fromSeeder / (double) SIZE,
        sent / (double) SIZE,
        fromEachOther / (double) SIZE);
    assertEquals(3L * SIZE, fromSeeder + fromEachOther, "every verified byte came from somewhere");
    assertTrue(fromEachOther > SIZE / 2, "they gave each other pieces: " + fromEachOther);
    assertTrue(
        fromSeeder < 2.0 * SIZE, "the seeder uploaded " + fromSeeder / (double) SIZE + " copies");
  }

  static String range(int piece, int pieceSize) {
    long from = (long) piece * pieceSize;
    return "bytes=" + from + "-" + (from + pieceSize - 1);
  }
}
