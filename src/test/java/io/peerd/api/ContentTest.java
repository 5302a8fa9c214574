package io.peerd.api;

import static io.peerd.testkit.Await.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.peerd.index.Merkle;
import io.peerd.node.PeerVerticle;
import io.peerd.rpc.proto.DownloadRequest;
import io.peerd.rpc.proto.FileTransferGrpcClient;
import io.peerd.rpc.proto.PieceLayer;
import io.peerd.rpc.proto.PiecesRequest;
import io.peerd.testkit.Grpc;
import io.peerd.testkit.Http;
import io.peerd.testkit.Peers;
import io.peerd.testkit.TestFiles;
import io.peerd.wire.Magnet;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.grpc.common.GrpcStatus;
import io.vertx.junit5.VertxExtension;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Content by what it is: every shared file's Merkle root and magnet in {@code /files}, its bytes at
 * {@code /content/{root}} by the rules of {@code /files/{name}}, its piece layers over REST and
 * gRPC, and gRPC {@code Download} by root.
 */
@ExtendWith(VertxExtension.class)
@Tag("peer")
class ContentTest {

  @TempDir Path tmp;
  PeerVerticle peer;
  Http http;
  TestFiles.Written big;
  String root;

  @BeforeEach
  void start(Vertx vertx) throws Exception {
    Path share = Peers.folderWith(tmp, "share", Map.of("small.txt", "small"));
    big = TestFiles.random(share, "big.bin", 3_000_000, 11);
    Files.write(share.resolve("same-bytes.bin"), big.bytes());
    Files.write(share.resolve("empty.txt"), new byte[0]);
    peer = Peers.started(vertx, "content", share, List.of(), null);
    http = new Http(vertx);
    Merkle.Builder b = new Merkle.Builder();
    b.update(ByteBuffer.wrap(big.bytes()));
    root = HexFormat.of().formatHex(b.finish().root());
  }

  JsonObject entry(String name) {
    for (Object o : http.getJson(peer, "/files").getJsonArray("files")) {
      if (((JsonObject) o).getString("name").equals(name)) {
        return (JsonObject) o;
      }
    }
    throw new AssertionError(name + " not listed");
  }

  @Test
  void everyFileListsItsRootAndAMagnetThatLeadsBackHere() {
    JsonObject e = entry("big.bin");
    assertEquals(root, e.getString("root"), "the root of the bytes, computed here independently");
    assertEquals(64, e.getString("checksum").length(), "the full SHA-256 is kept");
    Magnet m = Magnet.parse(e.getString("magnet"));
    assertEquals(root, m.root());
    assertEquals(3_000_000, m.size());
    assertEquals("big.bin", m.name());
    assertEquals(List.of(peer.selfUrl()), m.peers());
    assertEquals(root, entry("same-bytes.bin").getString("root"), "same bytes, same root");
    assertNull(entry("empty.txt").getString("root"), "BEP 52 gives an empty file no root");
    assertNull(entry("empty.txt").getString("magnet"));
  }

  @Test
  void contentByRootFollowsTheRulesOfAName() {
    Http.Reply whole = http.get(peer, "/content/" + root);
    assertEquals(200, whole.status());
    assertArrayEquals(big.bytes(), whole.body().getBytes());
    assertEquals("\"" + big.sha256() + "\"", whole.header("ETag"));

    HttpResponse<Buffer> part =
        await(
            http.client()
                .get(peer.restPort(), "127.0.0.1", "/content/" + root)
                .putHeader("Range", "bytes=100-199")
                .send());
    assertEquals(206, part.statusCode());
    assertEquals("bytes 100-199/3000000", part.getHeader("Content-Range"));
    assertArrayEquals(java.util.Arrays.copyOfRange(big.bytes(), 100, 200), part.body().getBytes());

    HttpResponse<Buffer> beyond =
        await(
            http.client()
                .get(peer.restPort(), "127.0.0.1", "/content/" + root)
                .putHeader("Range", "bytes=3000000-")
                .send());
    assertEquals(416, beyond.statusCode());
    HttpResponse<Buffer> head =
        await(http.client().head(peer.restPort(), "127.0.0.1", "/content/" + root).send());
    assertEquals("3000000", head.getHeader("Content-Length"));

    assertEquals(404, http.get(peer, "/content/" + "0".repeat(64)).status());
    assertEquals("bad_parameter", http.get(peer, "/content/" + "XYZ").error());
    assertEquals(400, http.get(peer, "/content/" + root.toUpperCase()).status());
  }

  @Test
  void pieceLayersProveTheRootAtAnyPieceSize() {
    JsonObject byDefault = http.getJson(peer, "/content/" + root + "/pieces");
    assertEquals(Merkle.defaultPieceSize(3_000_000), byDefault.getInteger("piece_size"));
    assertEquals(3_000_000, byDefault.getLong("size"));
    for (int pieceSize : new int[] {16384, 65536, 1 << 20, 4 << 20}) {
      JsonObject l = http.getJson(peer, "/content/" + root + "/pieces?piece_size=" + pieceSize);
      assertEquals(pieceSize, l.getInteger("piece_size"));
      JsonArray hex = l.getJsonArray("pieces");
      assertEquals(Merkle.pieces(3_000_000, pieceSize), hex.size());
      byte[] hashes = new byte[hex.size() * 32];
      for (int i = 0; i < hex.size(); i++) {
        System.arraycopy(HexFormat.of().parseHex(hex.getString(i)), 0, hashes, i * 32, 32);
      }
      assertEquals(
          root,
          HexFormat.of().formatHex(Merkle.rootOf(new Merkle.Layer(pieceSize, hashes), 3_000_000)),
          "the layer at " + pieceSize + " hashes up to the root");
    }
    assertEquals(
        "bad_parameter", http.get(peer, "/content/" + root + "/pieces?piece_size=1000").error());
    assertEquals(
        "bad_parameter", http.get(peer, "/content/" + root + "/pieces?piece_size=-1").error());
    assertEquals(404, http.get(peer, "/content/" + "a".repeat(64) + "/pieces").status());
  }

  @Test
  void grpcDownloadsByRootAndAnswersTheLayer(Vertx vertx) {
    Grpc grpc = new Grpc(vertx);
    DownloadRequest byRoot =
        DownloadRequest.newBuilder().setRoot(root).setOffset(1000).setLength(5000).build();
    Grpc.Download d = await(grpc.collect(peer.restPort(), FileTransferGrpcClient.Download, byRoot));
    assertEquals(GrpcStatus.OK, d.status(), d.message());
    assertArrayEquals(java.util.Arrays.copyOfRange(big.bytes(), 1000, 6000), d.data().getBytes());

    Grpc.Download unknown =
        await(
            grpc.collect(
                peer.restPort(),
                FileTransferGrpcClient.Download,
                DownloadRequest.newBuilder().setRoot("b".repeat(64)).build()));
    assertEquals(GrpcStatus.NOT_FOUND, unknown.status());
    Grpc.Download bad =
        await(
            grpc.collect(
                peer.restPort(),
                FileTransferGrpcClient.Download,
                DownloadRequest.newBuilder().setRoot("not-hex").build()));
    assertEquals(GrpcStatus.INVALID_ARGUMENT, bad.status());

    Grpc.Unary<PieceLayer> answer =
        grpc.unary(
            peer.restPort(),
            FileTransferGrpcClient.Pieces,
            PiecesRequest.newBuilder().setRoot(root).setPieceSize(65536).build());
    assertEquals(GrpcStatus.OK, answer.status(), answer.message());
    PieceLayer layer = answer.result();
    assertEquals(root, layer.getRoot());
    assertEquals(65536, layer.getPieceSize());
    byte[] hashes = new byte[layer.getPiecesCount() * 32];
    for (int i = 0; i < layer.getPiecesCount(); i++) {
      layer.getPieces(i).copyTo(hashes, i * 32);
    }
    assertEquals(
        root, HexFormat.of().formatHex(Merkle.rootOf(new Merkle.Layer(65536, hashes), 3_000_000)));
    assertEquals(
        GrpcStatus.INVALID_ARGUMENT,
        grpc.unary(
                peer.restPort(),
                FileTransferGrpcClient.Pieces,
                PiecesRequest.newBuilder().setRoot(root).setPieceSize(3).build())
            .status());
    assertEquals(
        GrpcStatus.NOT_FOUND,
        grpc.unary(
                peer.restPort(),
                FileTransferGrpcClient.Pieces,
                PiecesRequest.newBuilder().setRoot("c".repeat(64)).build())
            .status());
  }
}
