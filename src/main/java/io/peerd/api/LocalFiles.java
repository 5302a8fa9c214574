package io.peerd.api;

import io.peerd.index.FileEntry;
import io.peerd.index.FileIndex;
import io.peerd.index.IndexSnapshot;
import io.peerd.index.Names;
import io.peerd.search.FileHit;
import io.peerd.transfer.PartialContent;
import io.peerd.wire.Magnet;
import io.peerd.wire.WireJson;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** Our own files as the wire shows them: in {@code /files} and in search answers alike. */
public final class LocalFiles {

  /** Bound on one peer's matches in a search answer. */
  static final int MAX_MATCHES = 1000;

  private final FileIndex index;
  private final String self;
  private final String grpcUrl;

  private final PartialContent partials;

  private final java.util.Map<FileEntry, FileHit> hits = new java.util.IdentityHashMap<>();
  // By identity: an equal hit from elsewhere (a neighbour's answer) is not ours to splice.
  private final java.util.Map<FileHit, byte[]> encoded = new java.util.IdentityHashMap<>();
  private long hitsGeneration = -1;

  public LocalFiles(FileIndex index, PartialContent partials, String self, String grpcUrl) {
    this.index = index;
    this.partials = partials;
    this.self = self;
    this.grpcUrl = grpcUrl;
  }

  /**
   * A file as the wire shows it, made once per index generation: a search hit then costs a map
   * lookup, not the encoding of its URL and magnet. Event-loop confined, bounded by the index.
   */
  public FileHit hit(FileEntry e) {
    current();
    return hits.computeIfAbsent(e, this::make);
  }

  /**
   * Our files' JSON, encoded once per index generation: an answer splices the bytes in. A hit that
   * is not one of ours (a neighbour's, a partial download) has none and is encoded as it goes.
   */
  public WireJson.Fragments fragments() {
    return fragments;
  }

  private final WireJson.Fragments fragments = this::encoded;

  private byte[] encoded(FileHit f) {
    current();
    return encoded.get(f);
  }

  /** Forgets what was made for an older index generation. */
  private void current() {
    long generation = index.snapshot().generation();
    if (generation != hitsGeneration) {
      hits.clear();
      encoded.clear();
      hitsGeneration = generation;
    }
  }

  private FileHit make(FileEntry e) {
    FileHit hit = makeHit(e);
    encoded.put(hit, WireJson.file(hit));
    return hit;
  }

  private FileHit makeHit(FileEntry e) {
    return new FileHit(
        e.name(),
        e.size(),
        e.mtimeMillis() / 1000,
        e.checksum(),
        e.extension(),
        e.type(),
        restUrl(e.name()),
        grpcUrl,
        e.root(),
        e.root() == null ? null : new Magnet(e.root(), e.size(), e.name(), List.of(self)).format());
  }

  /** {@code GET} on this URL serves the file ({@link FileServing}). */
  public String restUrl(String name) {
    return self + "/files/" + encodePath(name);
  }

  /** Percent-encodes each path segment, keeping the '/' separators. */
  static String encodePath(String name) {
    return URLEncoder.encode(name, StandardCharsets.UTF_8).replace("+", "%20").replace("%2F", "/");
  }

  public List<FileHit> all(IndexSnapshot snap) {
    List<FileHit> out = new ArrayList<>(snap.size());
    for (FileEntry e : snap.byName().values()) {
      out.add(hit(e));
    }
    return out;
  }

  /** This peer's answer to a search: by root when it names one, else by name. */
  public List<FileHit> search(io.peerd.search.SearchQuery q) {
    return q.root() != null ? withRoot(q.root()) : search(q.text());
  }

  public List<FileHit> search(String query) {
    List<FileHit> out = new ArrayList<>();
    for (FileEntry e : index.snapshot().search(query, MAX_MATCHES)) {
      out.add(hit(e));
    }
    return out;
  }

  /**
   * The files holding that content (any name); none for an unknown root. A download of it under way
   * here is a hit too, marked partial, so that those fetching the same content find each other; it
   * appears in no name search and not in /files.
   */
  public List<FileHit> withRoot(String root) {
    List<FileHit> out = new ArrayList<>();
    for (FileEntry e : index.snapshot().withRoot(root)) {
      out.add(hit(e));
    }
    PartialContent.Partial partial = out.isEmpty() ? partials.find(root) : null;
    if (partial != null) {
      out.add(
          new FileHit(
              partial.name(),
              partial.size(),
              -1,
              partial.sha256(),
              Names.extension(partial.name()),
              "other",
              self + "/content/" + root,
              grpcUrl,
              root,
              new Magnet(root, partial.size(), partial.name(), List.of(self)).format(),
              true));
    }
    return out;
  }
}
