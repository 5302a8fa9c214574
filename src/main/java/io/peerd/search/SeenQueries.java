package io.peerd.search;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Query ids this peer has processed, bounded by count and by age, so that flooding loops die
 * and memory stays flat under any load. Keys include the origin: replaying someone else's id
 * from another origin cannot suppress their search.
 */
public final class SeenQueries {

  private final int maxEntries;
  private final long maxAgeMillis;
  private final LinkedHashMap<String, Long> seen = new LinkedHashMap<>();

  public SeenQueries(int maxEntries, long maxAgeMillis) {
    this.maxEntries = maxEntries;
    this.maxAgeMillis = maxAgeMillis;
  }

  /** @return true the first time (origin, id) is offered within the age window */
  public boolean firstTime(String origin, String id, long now) {
    expire(now);
    String key = (origin == null ? "" : origin) + "|" + id;
    if (seen.containsKey(key)) {
      return false;
    }
    seen.put(key, now);
    if (seen.size() > maxEntries) {
      Iterator<String> it = seen.keySet().iterator();
      it.next();
      it.remove();
    }
    return true;
  }

  private void expire(long now) {
    // Insertion order is arrival order, so the expired ones are all at the head.
    Iterator<Map.Entry<String, Long>> it = seen.entrySet().iterator();
    while (it.hasNext()) {
      if (now - it.next().getValue() > maxAgeMillis) {
        it.remove();
      } else {
        break;
      }
    }
  }

  public int size() {
    return seen.size();
  }
}
