package io.peerd.search;

import java.nio.charset.StandardCharsets;

/**
 * Query ids this peer has processed, bounded by count and by age, so that flooding loops die and
 * memory stays flat under any load. Keys include the origin: replaying someone else's id from
 * another origin cannot suppress their search.
 *
 * <p>Compact by design, since the default bound is 100,000 ids on a peer with a 48 MiB heap: a key
 * is a 64-bit hash of (origin, id) (a false "seen" needs a collision among the live ids, about one
 * in 10^9 at full size), kept in a ring of arrival order and an open-addressing hash table of
 * longs: about 40 bytes per id, no object per id.
 */
public final class SeenQueries {

  private static final long EMPTY = 0;

  private final int capacity;
  private final long maxAgeMillis;

  /** Arrival order: the oldest live entry is at head. */
  private final long[] ringKeys;

  private final long[] ringTimes;
  private int head;
  private int size;

  /** Linear-probing set of the live keys; length a power of two, at most half full. */
  private final long[] table;

  private final int mask;

  public SeenQueries(int maxEntries, long maxAgeMillis) {
    this.capacity = maxEntries;
    this.maxAgeMillis = maxAgeMillis;
    this.ringKeys = new long[maxEntries];
    this.ringTimes = new long[maxEntries];
    int slots = Integer.highestOneBit(Math.max(2, maxEntries) * 2 - 1) << 1;
    this.table = new long[slots];
    this.mask = slots - 1;
  }

  /**
   * @return true the first time (origin, id) is offered within the age window
   */
  public boolean firstTime(String origin, String id, long now) {
    expire(now);
    long key = key(origin, id);
    if (contains(key)) {
      return false;
    }
    if (size == capacity) {
      removeOldest();
    }
    int tail = (head + size) % capacity;
    ringKeys[tail] = key;
    ringTimes[tail] = now;
    size++;
    insert(key);
    return true;
  }

  public int size() {
    return size;
  }

  private void expire(long now) {
    while (size > 0 && now - ringTimes[head] > maxAgeMillis) {
      removeOldest();
    }
  }

  private void removeOldest() {
    delete(ringKeys[head]);
    head = (head + 1) % capacity;
    size--;
  }

  /** 64-bit FNV-1a over "origin|id", never 0 (0 marks an empty slot). */
  static long key(String origin, String id) {
    long h = 0xcbf29ce484222325L;
    for (byte b : ((origin == null ? "" : origin) + "|" + id).getBytes(StandardCharsets.UTF_8)) {
      h ^= b & 0xff;
      h *= 0x100000001b3L;
    }
    return h == EMPTY ? 1 : h;
  }

  private int slot(long key) {
    long h = key * 0x9E3779B97F4A7C15L;
    return (int) (h ^ (h >>> 32)) & mask;
  }

  private boolean contains(long key) {
    for (int i = slot(key); table[i] != EMPTY; i = (i + 1) & mask) {
      if (table[i] == key) {
        return true;
      }
    }
    return false;
  }

  private void insert(long key) {
    int i = slot(key);
    while (table[i] != EMPTY) {
      i = (i + 1) & mask;
    }
    table[i] = key;
  }

  /** Backward-shift deletion keeps probe chains intact without tombstones. */
  private void delete(long key) {
    int i = slot(key);
    while (table[i] != key) {
      if (table[i] == EMPTY) {
        return;
      }
      i = (i + 1) & mask;
    }
    int j = i;
    while (true) {
      j = (j + 1) & mask;
      if (table[j] == EMPTY) {
        break;
      }
      int home = slot(table[j]);
      // Move table[j] back to i unless its home lies cyclically in (i, j].
      boolean stays = i <= j ? (home > i && home <= j) : (home > i || home <= j);
      if (!stays) {
        table[i] = table[j];
        i = j;
      }
    }
    table[i] = EMPTY;
  }
}
