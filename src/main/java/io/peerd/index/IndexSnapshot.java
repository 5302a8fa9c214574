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
    Names names,
    Map<String, List<FileEntry>> byRoot) {

  /**
   * Every name, lower-cased, in one string ({@code \0} between them, a character no file name
   * holds), and where each starts: a search is one pass of the JDK's vectorised indexOf over it,
   * not one contains() per file.
   */
  record Names(String joined, int[] starts, FileEntry[] entries) {

    /** The entry whose name holds this position of {@code joined}. */
    int at(int position) {
      int i = java.util.Arrays.binarySearch(starts, position);
      return i >= 0 ? i : -i - 2;
    }
  }

  public static final IndexSnapshot EMPTY = of(0, List.of(), 0);

  public static IndexSnapshot of(long generation, List<FileEntry> entries, long scannedAtMillis) {
    TreeMap<String, FileEntry> map = new TreeMap<>();
    long total = 0;
    for (FileEntry e : entries) {
      map.put(e.name(), e);
      total += e.size();
    }
    StringBuilder joined = new StringBuilder();
    int[] starts = new int[map.size()];
    FileEntry[] ordered = new FileEntry[map.size()];
    Map<String, List<FileEntry>> byRoot = new HashMap<>();
    int i = 0;
    for (FileEntry e : map.values()) {
      starts[i] = joined.length();
      ordered[i++] = e;
      joined.append(e.name().toLowerCase(Locale.ROOT)).append(SEPARATOR);
      if (e.root() != null) {
        byRoot.computeIfAbsent(e.root(), r -> new ArrayList<>(1)).add(e);
      }
    }
    return new IndexSnapshot(
        generation,
        Collections.unmodifiableMap(map),
        total,
        scannedAtMillis,
        new Names(joined.toString(), starts, ordered),
        byRoot);
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
    if (q.indexOf(SEPARATOR) >= 0) {
      return out; // no name holds one, and it must not match across two names
    }
    String all = names.joined();
    int[] starts = names.starts();
    int from = 0;
    while (out.size() < limit && from < all.length()) {
      int found = all.indexOf(q, from);
      if (found < 0) {
        break;
      }
      int i = names.at(found);
      out.add(names.entries()[i]);
      // On to the next name: one hit per file, in name order.
      from = i + 1 < starts.length ? starts[i + 1] : all.length();
    }
    return out;
  }

  private static final char SEPARATOR = '\0';
}
