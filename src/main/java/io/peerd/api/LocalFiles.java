package io.peerd.api;

import io.peerd.index.FileEntry;
import io.peerd.index.FileIndex;
import io.peerd.index.IndexSnapshot;
import io.peerd.search.FileHit;
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

  public LocalFiles(FileIndex index, String self, String grpcUrl) {
    this.index = index;
    this.self = self;
    this.grpcUrl = grpcUrl;
  }

  public FileHit hit(FileEntry e) {
    return new FileHit(
        e.name(),
        e.size(),
        e.mtimeMillis() / 1000,
        e.checksum(),
        e.extension(),
        e.type(),
        restUrl(e.name()),
        grpcUrl);
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

  public List<FileHit> search(String query) {
    List<FileHit> out = new ArrayList<>();
    for (FileEntry e : index.snapshot().search(query, MAX_MATCHES)) {
      out.add(hit(e));
    }
    return out;
  }
}
