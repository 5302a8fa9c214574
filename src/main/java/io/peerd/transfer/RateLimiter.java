package io.peerd.transfer;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Token buckets keyed by client address: {@code perMinute} tokens, refilled continuously, burst of
 * one minute's worth. The table of buckets is bounded (least recently used dropped), so a flood of
 * addresses cannot grow it. Single-threaded: used on the owning event loop.
 */
public final class RateLimiter {

  private record Bucket(double tokens, long updatedMillis) {}

  private final int perMinute;
  private final int maxKeys;
  private final LinkedHashMap<String, Bucket> buckets;

  public RateLimiter(int perMinute, int maxKeys) {
    this.perMinute = perMinute;
    this.maxKeys = maxKeys;
    this.buckets =
        new LinkedHashMap<>(16, 0.75f, true) {
          @Override
          protected boolean removeEldestEntry(Map.Entry<String, Bucket> eldest) {
            return size() > RateLimiter.this.maxKeys;
          }
        };
  }

  /**
   * @param now milliseconds on one clock for all calls, {@link io.peerd.Monotonic#millis()}, so
   *     that a step of the wall clock (NTP, a VM resumed) neither refills every bucket nor empties
   *     them; should it ever run backwards, that stretch refills nothing and takes nothing away
   *     (before, a wall clock stepped back 10 minutes left every known address 10 minutes' worth of
   *     tokens in debt: refused for that long)
   * @return 0 when the call may proceed (a token is taken), else milliseconds until one is free
   */
  public long acquire(String key, long now) {
    if (perMinute <= 0) {
      return 0;
    }
    Bucket b = buckets.get(key);
    double tokens =
        b == null
            ? perMinute
            : Math.min(
                perMinute,
                b.tokens() + Math.max(0, now - b.updatedMillis()) * perMinute / 60_000.0);
    if (tokens >= 1) {
      buckets.put(key, new Bucket(tokens - 1, now));
      return 0;
    }
    buckets.put(key, new Bucket(tokens, now));
    return (long) Math.ceil((1 - tokens) * 60_000.0 / perMinute);
  }

  public int size() {
    return buckets.size();
  }
}
