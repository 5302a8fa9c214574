package io.peerd.wire;

import io.peerd.search.FileHit;
import io.peerd.search.PeerResult;
import io.peerd.search.SearchAnswer;
import io.peerd.search.Unreachable;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;

/**
 * The JSON of the REST wire, both directions, in one place: what we send and what we accept from
 * other peers (ours or the seed's). Parsing is lenient about missing fields and strict about types,
 * and bounded: a neighbour's answer can never make us hold more than the caps.
 */
public final class WireJson {

  private WireJson() {}

  /**
   * Encoded forms of files made earlier, by identity: our own files are encoded once per index
   * generation ({@code LocalFiles}), a remote peer's hit is encoded as it passes.
   */
  @FunctionalInterface
  public interface Fragments {
    Fragments NONE = f -> null;

    /**
     * @return the file's JSON, or null to have it encoded now
     */
    byte[] of(FileHit f);
  }

  /** One file of {@code /files} and of a search answer. */
  public static byte[] file(FileHit f) {
    JsonText w = new JsonText(320);
    writeFile(w, f);
    return w.toBytes();
  }

  private static void writeFile(JsonText w, FileHit f) {
    w.beginObject()
        .field("name", f.name())
        .field("size", f.size())
        .field("mtime", f.mtime())
        .field("checksum", f.checksum())
        .field("extension", f.extension())
        .field("type", f.type());
    if (f.restUrl() != null) {
      w.field("rest_url", f.restUrl());
    }
    if (f.grpc() != null) {
      w.field("grpc", f.grpc());
    }
    if (f.root() != null) {
      w.field("root", f.root());
    }
    if (f.magnet() != null) {
      w.field("magnet", f.magnet());
    }
    if (f.partial()) {
      w.field("partial", true);
    }
    w.endObject();
  }

  public static void files(JsonText w, List<FileHit> files, Fragments known) {
    w.beginArray();
    for (FileHit f : files) {
      byte[] encoded = known.of(f);
      if (encoded != null) {
        w.raw(encoded);
      } else {
        writeFile(w, f);
      }
    }
    w.endArray();
  }

  /** The seed's {@code /files} answer: {@code {peer, base, files}}. */
  public static Buffer filesAnswer(String peer, String base, List<FileHit> files, Fragments known) {
    JsonText w = new JsonText(64 + size(List.of(new PeerResult(peer, files, 0)), known));
    w.beginObject().field("peer", peer).field("base", base).key("files");
    files(w, files, known);
    return w.endObject().toBuffer();
  }

  public static Buffer searchAnswer(SearchAnswer a, Fragments known) {
    return answer(a, known, true);
  }

  /**
   * A search answer without its results: the final event of a streamed search, whose results went
   * out one peer at a time. The same writer as {@link #searchAnswer}, so the two never drift apart.
   */
  public static Buffer searchSummary(SearchAnswer a) {
    return answer(a, Fragments.NONE, false);
  }

  private static Buffer answer(SearchAnswer a, Fragments known, boolean withResults) {
    JsonText w = new JsonText(withResults ? 256 + size(a.results(), known) : 256);
    w.beginObject()
        .field("query", a.query())
        .field("ttl", a.ttl())
        .field("fanout_used", a.fanoutUsed());
    if (withResults) {
      w.key("results").beginArray();
      for (PeerResult r : a.results()) {
        writePeerResult(w, r, known);
      }
      w.endArray();
    }
    w.field("id", a.id()).field("partial", a.partial()).key("unreachable").beginArray();
    for (Unreachable u : a.unreachable()) {
      w.beginObject().field("peer", u.peer()).field("reason", u.reason()).endObject();
    }
    w.endArray().field("peers_answered", a.peersAnswered()).field("elapsed_ms", a.elapsedMs());
    if (a.duplicate()) {
      w.field("duplicate", true);
    }
    return w.endObject().toBuffer();
  }

  /**
   * One peer's part of a search answer, as in {@code results[]} (and a streamed {@code peer}
   * event).
   */
  public static Buffer peerResult(PeerResult r, Fragments known) {
    JsonText w = new JsonText(64 + size(List.of(r), known));
    writePeerResult(w, r, known);
    return w.toBuffer();
  }

  /** About the bytes those results take: an answer's buffer is then made once, not grown. */
  private static int size(List<PeerResult> results, Fragments known) {
    int n = 0;
    for (PeerResult r : results) {
      n += 64 + r.peer().length();
      for (FileHit f : r.files()) {
        byte[] encoded = known.of(f);
        n += encoded != null ? encoded.length + 1 : 400;
      }
    }
    return n;
  }

  private static void writePeerResult(JsonText w, PeerResult r, Fragments known) {
    w.beginObject().field("peer", r.peer()).field("hops", r.hops()).key("files");
    files(w, r.files(), known);
    w.endObject();
  }

  /**
   * Reads a neighbour's {@code /search} answer. Entries that are not objects, or have no peer, are
   * skipped rather than failing the whole answer; a non-array {@code results} is an error.
   *
   * @throws IllegalArgumentException when the answer is not a search answer at all
   */
  public static SearchAnswer parseSearchAnswer(JsonObject o, int maxPeers, int maxFilesPerPeer) {
    Object rawResults = o.getValue("results");
    if (!(rawResults instanceof JsonArray results)) {
      throw new IllegalArgumentException("no results array");
    }
    List<PeerResult> out = new ArrayList<>();
    for (int i = 0; i < results.size() && out.size() < maxPeers; i++) {
      if (!(results.getValue(i) instanceof JsonObject r)
          || !(r.getValue("peer") instanceof String peer)) {
        continue;
      }
      List<FileHit> files = new ArrayList<>();
      if (r.getValue("files") instanceof JsonArray fa) {
        for (int j = 0; j < fa.size() && files.size() < maxFilesPerPeer; j++) {
          if (fa.getValue(j) instanceof JsonObject f) {
            FileHit hit = parseFile(f);
            if (hit != null) {
              files.add(hit);
            }
          }
        }
      }
      out.add(new PeerResult(peer, files, intOr(r, "hops", -1)));
    }
    List<Unreachable> unreachable = new ArrayList<>();
    if (o.getValue("unreachable") instanceof JsonArray ua) {
      for (int i = 0; i < ua.size() && unreachable.size() < maxPeers; i++) {
        if (ua.getValue(i) instanceof JsonObject u && u.getValue("peer") instanceof String p) {
          unreachable.add(new Unreachable(p, stringOr(u, "reason", "unknown")));
        }
      }
    }
    boolean partial = o.getValue("partial") instanceof Boolean b && b;
    boolean duplicate = o.getValue("duplicate") instanceof Boolean d && d;
    return new SearchAnswer(
        stringOr(o, "id", null),
        stringOr(o, "query", ""),
        intOr(o, "ttl", 0),
        intOr(o, "fanout_used", 0),
        out,
        unreachable,
        partial,
        out.size(),
        intOr(o, "elapsed_ms", 0),
        duplicate);
  }

  /**
   * The files of a {@code /files} answer (ours or a seed peer's); entries without a usable name are
   * skipped, at most {@code max} are read.
   *
   * @throws IllegalArgumentException when there is no {@code files} array
   */
  public static List<FileHit> parseFiles(JsonObject o, int max) {
    if (!(o.getValue("files") instanceof JsonArray files)) {
      throw new IllegalArgumentException("no files array");
    }
    List<FileHit> out = new ArrayList<>();
    for (int i = 0; i < files.size() && out.size() < max; i++) {
      if (files.getValue(i) instanceof JsonObject f) {
        FileHit hit = parseFile(f);
        if (hit != null) {
          out.add(hit);
        }
      }
    }
    return out;
  }

  /**
   * ": detail" of an {@code {error, detail}} body, shortened, or "" when the body is not one: what
   * a peer said when it refused, for the message of the failure.
   */
  public static String errorDetail(io.vertx.core.buffer.Buffer body) {
    try {
      Object parsed = io.vertx.core.json.Json.decodeValue(body);
      if (parsed instanceof JsonObject o
          && (o.getValue("detail") instanceof String || o.getValue("error") instanceof String)) {
        String d = stringOr(o, "detail", stringOr(o, "error", ""));
        return ": " + (d.length() > 200 ? d.substring(0, 200) + "..." : d);
      }
    } catch (RuntimeException notJson) {
      // a body that is not JSON says nothing we can repeat
    }
    return "";
  }

  /**
   * @return null when the object has no usable name
   */
  public static FileHit parseFile(JsonObject f) {
    if (!(f.getValue("name") instanceof String name) || name.isEmpty()) {
      return null;
    }
    return new FileHit(
        name,
        longOr(f, "size", -1),
        longOr(f, "mtime", -1),
        stringOr(f, "checksum", null),
        stringOr(f, "extension", null),
        stringOr(f, "type", null),
        stringOr(f, "rest_url", null),
        stringOr(f, "grpc", null),
        // A root is only kept in its one form: anything else is no root at all.
        Magnet.isRoot(stringOr(f, "root", null)) ? stringOr(f, "root", null) : null,
        stringOr(f, "magnet", null),
        Boolean.TRUE.equals(f.getValue("partial")));
  }

  static String stringOr(JsonObject o, String key, String def) {
    return o.getValue(key) instanceof String s ? s : def;
  }

  static long longOr(JsonObject o, String key, long def) {
    return o.getValue(key) instanceof Number n ? n.longValue() : def;
  }

  static int intOr(JsonObject o, String key, int def) {
    return o.getValue(key) instanceof Number n ? n.intValue() : def;
  }

  public static JsonObject error(String error, String detail) {
    return new JsonObject().put("error", error).put("detail", detail);
  }

  /** A signed peer record as peers exchange it: {@code {id, urls, seq, certificate, signature}}. */
  public static JsonObject record(io.peerd.identity.PeerRecord r) {
    return new JsonObject()
        .put("id", r.id().toString())
        .put("urls", new JsonArray(r.urls()))
        .put("seq", r.seq())
        .put("certificate", r.certificate())
        .put("signature", r.signature());
  }

  /**
   * Reads a record another peer sent, without checking its signature ({@link
   * io.peerd.identity.PeerRecord#problem()} does); null when its shape is wrong.
   */
  public static io.peerd.identity.PeerRecord parseRecord(Object raw) {
    if (!(raw instanceof JsonObject o)
        || !(o.getValue("id") instanceof String id)
        || !(o.getValue("urls") instanceof JsonArray urls)
        || !(o.getValue("seq") instanceof Number seq)
        || !(o.getValue("certificate") instanceof String cert)
        || !(o.getValue("signature") instanceof String sig)
        || urls.isEmpty()
        || urls.size() > io.peerd.identity.PeerRecord.MAX_URLS) {
      return null;
    }
    io.peerd.identity.PeerId peerId = io.peerd.identity.PeerId.tryParse(id);
    List<String> list = new java.util.ArrayList<>();
    for (Object u : urls) {
      if (!(u instanceof String url)) {
        return null;
      }
      list.add(url);
    }
    return peerId == null
        ? null
        : new io.peerd.identity.PeerRecord(peerId, list, seq.longValue(), cert, sig);
  }
}
