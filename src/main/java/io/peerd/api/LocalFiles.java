package io.peerd.api;

import io.peerd.index.FileEntry;
import io.peerd.index.FileIndex;
import io.peerd.index.IndexSnapshot;
import io.peerd.search.FileHit;
import java.util.ArrayList;
import java.util.List;

/** Our own files as the wire shows them: in {@code /files} and in search answers alike. */
public final class LocalFiles {

  /** Bound on one peer's matches in a search answer. */
  static final int MAX_MATCHES = 1000;

  private final FileIndex index;
  private final String grpcUrl;

  public LocalFiles(FileIndex index, String grpcUrl) {
    this.index = index;
    this.grpcUrl = grpcUrl;
  }

  /** No rest_url yet: this peer does not serve HTTP downloads, and never advertises a dead URL. */
  public FileHit hit(FileEntry e) {
    return new FileHit(e.name(), e.size(), e.mtimeMillis() / 1000, e.checksum(), e.extension(),
        e.type(), null, grpcUrl);
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
