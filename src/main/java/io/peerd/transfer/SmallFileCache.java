package io.peerd.transfer;

import io.vertx.core.buffer.Buffer;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Contents of small shared files, keyed by SHA-256 (so a changed file can never be served from a
 * stale entry: new content, new key), bounded by total bytes, least recently used dropped. Opening
 * a file for each request costs a trip to a worker thread; for files of a few KiB that trip, not
 * the bytes, is the price of a download. Single-threaded: the owning event loop only.
 */
public final class SmallFileCache {

  private final long maxFileBytes;
  private final long maxTotalBytes;
  private long total;
  private final LinkedHashMap<String, Buffer> byChecksum = new LinkedHashMap<>(64, 0.75f, true);

  public SmallFileCache(long maxFileBytes, long maxTotalBytes) {
    this.maxFileBytes = maxFileBytes;
    this.maxTotalBytes = maxTotalBytes;
  }

  public boolean cacheable(long size) {
    return size <= maxFileBytes && size <= maxTotalBytes;
  }

  public Buffer get(String checksum) {
    return byChecksum.get(checksum);
  }

  public void put(String checksum, Buffer content) {
    if (!cacheable(content.length()) || byChecksum.containsKey(checksum)) {
      return;
    }
    byChecksum.put(checksum, content);
    total += content.length();
    var it = byChecksum.entrySet().iterator();
    while (total > maxTotalBytes && it.hasNext()) {
      Map.Entry<String, Buffer> eldest = it.next();
      total -= eldest.getValue().length();
      it.remove();
    }
  }
}
