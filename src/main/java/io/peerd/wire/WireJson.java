package io.peerd.wire;

import io.peerd.search.FileHit;
import io.peerd.search.PeerResult;
import io.peerd.search.SearchAnswer;
import io.peerd.search.Unreachable;
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

  public static JsonObject file(FileHit f) {
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

  public static JsonArray files(List<FileHit> files) {
    JsonArray arr = new JsonArray(new ArrayList<>(files.size()));
    for (FileHit f : files) {
      arr.add(file(f));
    }
    return arr;
  }

  public static JsonObject searchAnswer(SearchAnswer a) {
    JsonArray results = new JsonArray();
    for (PeerResult r : a.results()) {
      results.add(
          new JsonObject()
              .put("peer", r.peer())
              .put("hops", r.hops())
              .put("files", files(r.files())));
    }
    JsonArray unreachable = new JsonArray();
    for (Unreachable u : a.unreachable()) {
      unreachable.add(new JsonObject().put("peer", u.peer()).put("reason", u.reason()));
    }
    JsonObject o =
        new JsonObject()
            .put("query", a.query())
            .put("ttl", a.ttl())
            .put("fanout_used", a.fanoutUsed())
            .put("results", results)
            .put("id", a.id())
            .put("partial", a.partial())
            .put("unreachable", unreachable)
            .put("peers_answered", a.peersAnswered())
            .put("elapsed_ms", a.elapsedMs());
    if (a.duplicate()) {
      o.put("duplicate", true);
    }
    return o;
  }

  /**
   * One peer's part of a search answer, as in {@code results[]} (and a streamed {@code peer}
   * event).
   */
  public static JsonObject peerResult(PeerResult r) {
    return new JsonObject()
        .put("peer", r.peer())
        .put("hops", r.hops())
        .put("files", files(r.files()));
  }

  /**
   * A search answer without its results: the final event of a streamed search, whose results went
   * out one peer at a time. Derived from {@link #searchAnswer} so the two never drift apart.
   */
  public static JsonObject searchSummary(SearchAnswer a) {
    JsonObject o = searchAnswer(a);
    o.remove("results");
    return o;
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
