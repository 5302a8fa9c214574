package io.peerd.index;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * An immutable view of the index at one scan. Readers hold on to one snapshot for the whole
 * request, so a rescan finishing mid-request never shows them half of two states.
 *
 * @param generation increases by one with every scan that changed something; caches key on it
 */
public record IndexSnapshot(
    long generation,
    Map<String, FileEntry> byName,
    long totalBytes,
    long scannedAtMillis,
    String[] lowerNames,
    Map<String, List<FileEntry>> byRoot) {

  public static final IndexSnapshot EMPTY = of(0, List.of(), 0);

  public static IndexSnapshot of(long generation, List<FileEntry> entries, long scannedAtMillis) {
    TreeMap<String, FileEntry> map = new TreeMap<>();
    long total = 0;
    for (FileEntry e : entries) {
      map.put(e.name(), e);
      total += e.size();
    }
    String[] lower = new String[map.size()];
    Map<String, List<FileEntry>> byRoot = new HashMap<>();
    int i = 0;
    for (FileEntry e : map.values()) {
      lower[i++] = e.name().toLowerCase(Locale.ROOT);
      if (e.root() != null) {
        byRoot.computeIfAbsent(e.root(), r -> new ArrayList<>(1)).add(e);
      }
    }
    return new IndexSnapshot(
        generation, Collections.unmodifiableMap(map), total, scannedAtMillis, lower, byRoot);
  }

  /** Every shared file with that Merkle root (the same bytes under any names), in name order. */
  public List<FileEntry> withRoot(String root) {
    return byRoot.getOrDefault(root, List.of());
  }

  public int size() {
    return byName.size();
  }

  public FileEntry get(String name) {
    return byName.get(name);
  }

  /** The seed's match rule: case-insensitive substring of the name; an empty query matches all. */
  public List<FileEntry> search(String query, int limit) {
    String q = query.toLowerCase(Locale.ROOT);
    List<FileEntry> out = new ArrayList<>();
    int i = 0;
    for (FileEntry e : byName.values()) {
      if (lowerNames[i++].contains(q)) {
        out.add(e);
        if (out.size() >= limit) {
          break;
        }
      }
    }
    return out;
  }
}
