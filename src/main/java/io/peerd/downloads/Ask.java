package io.peerd.downloads;

import io.peerd.index.Names;
import io.peerd.remote.ContentSources;
import io.peerd.wire.Magnet;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * What a user asked this peer to fetch: a root, a magnet link, or a name with its SHA-256; and
 * sources of their own to try besides those a search finds.
 *
 * @param what the root, the magnet or the name, as given
 * @param sha256 for a name: which content of that name (lowercase hex); else null
 */
public record Ask(String what, String sha256, List<String> sources) {

  /** Sources one ask may bring. */
  static final int MAX_SOURCES = 16;

  public Ask {
    sources = List.copyOf(sources);
  }

  /** A root or a magnet's: the content is known before any lookup. */
  String root() {
    if (what.startsWith("magnet:")) {
      return Magnet.parse(what).root();
    }
    return Magnet.isRoot(what) ? what : null;
  }

  /** Two asks for the same content share this. */
  String key() {
    String root = root();
    return root != null ? "root:" + root : "sha256:" + sha256;
  }

  /** A name for the download before the lookup tells the real one. */
  String shownName() {
    if (what.startsWith("magnet:")) {
      Magnet m = Magnet.parse(what);
      return m.name() != null ? m.name() : m.root();
    }
    return what;
  }

  JsonObject toJson() {
    return new JsonObject()
        .put("what", what)
        .put("sha256", sha256)
        .put("sources", new JsonArray(sources));
  }

  static Ask fromJson(JsonObject j) {
    List<String> sources = new ArrayList<>();
    j.getJsonArray("sources", new JsonArray()).forEach(s -> sources.add((String) s));
    return new Ask(j.getString("what"), j.getString("sha256"), sources);
  }

  /**
   * A {@code POST /downloads} body, checked.
   *
   * @throws Problem BAD with what is wrong
   */
  static Ask parse(JsonObject body) {
    String root = text(body, "root");
    String magnet = text(body, "magnet");
    String name = text(body, "name");
    String sha = text(body, "sha256");
    int given = (root != null ? 1 : 0) + (magnet != null ? 1 : 0) + (name != null ? 1 : 0);
    if (given != 1) {
      throw Problem.bad("give exactly one of \"root\", \"magnet\", or \"name\" with \"sha256\"");
    }
    List<String> sources = sources(body);
    if (root != null) {
      root = root.toLowerCase(Locale.ROOT);
      if (!Magnet.isRoot(root)) {
        throw Problem.bad("root is not 64 hex digits");
      }
      return new Ask(root, null, sources);
    }
    if (magnet != null) {
      try {
        Magnet.parse(magnet);
      } catch (IllegalArgumentException e) {
        throw Problem.bad("bad magnet link: " + e.getMessage());
      }
      return new Ask(magnet, null, sources);
    }
    String wrong = Names.problem(name);
    if (wrong != null) {
      throw Problem.bad("bad name: " + wrong);
    }
    if (sha == null || !Magnet.isRoot(sha.toLowerCase(Locale.ROOT))) {
      throw Problem.bad("a name needs \"sha256\": the content's 64 hex digits");
    }
    return new Ask(name, sha.toLowerCase(Locale.ROOT), sources);
  }

  private static String text(JsonObject body, String key) {
    Object v = body.getValue(key);
    if (v == null) {
      return null;
    }
    if (!(v instanceof String s) || s.isEmpty()) {
      throw Problem.bad("\"" + key + "\" must be a non-empty string");
    }
    return s;
  }

  private static List<String> sources(JsonObject body) {
    Object v = body.getValue("sources");
    if (v == null) {
      return List.of();
    }
    if (!(v instanceof JsonArray a) || a.size() > MAX_SOURCES) {
      throw Problem.bad("\"sources\" must be an array of at most " + MAX_SOURCES + " URLs");
    }
    List<String> out = new ArrayList<>();
    for (Object o : a) {
      if (!(o instanceof String url) || ContentSources.peerSource(url) == null) {
        throw Problem.bad("not an http(s) source URL: " + o);
      }
      out.add(url);
    }
    return out;
  }
}
