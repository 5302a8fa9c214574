package io.peerd.discovery;

import io.peerd.identity.PeerId;
import io.peerd.peers.PeerUrl;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * What a peer says of itself on its LAN, and its wire form. Pure: no I/O, and decoding never
 * throws, it names what was wrong.
 *
 * <pre>
 *   magic    4 bytes  0x70 0x64 0x73 0x63 ("pdsc")
 *   version  1 byte   1
 *   flags    1 byte   bit 0: an id follows
 *   instance 8 bytes  big-endian, random at each start
 *   id       32 bytes the id's SHA-256, only with flag bit 0
 *   count    1 byte   URLs that follow, 1..4
 *   url      2-byte big-endian length, then that many bytes of UTF-8: scheme://host:port
 * </pre>
 *
 * A packet is at most {@link #MAX_BYTES}, under one Ethernet MTU, and nothing may follow the last
 * URL.
 *
 * @param id the peer's id, null with {@code identity: false}
 * @param urls where its REST API answers (a loopback or wildcard host means "the sender's address")
 * @param instance random per start: a new one means the peer restarted
 */
public record Announcement(PeerId id, List<String> urls, long instance) {

  static final byte[] MAGIC = {0x70, 0x64, 0x73, 0x63};
  static final int VERSION = 1;
  public static final int MAX_BYTES = 1024;
  public static final int MAX_URLS = 4;

  public Announcement {
    urls = List.copyOf(urls);
  }

  /** Why a packet was not taken; the counter of each is in {@code /metrics}. */
  public enum Problem {
    OVERSIZE,
    TRUNCATED,
    MAGIC,
    VERSION,
    FLAGS,
    URL_COUNT,
    URL,
    TRAILING
  }

  /** A decoded packet, or why it is none. */
  public record Decoded(Announcement announcement, Problem problem, String detail) {
    static Decoded bad(Problem p, String detail) {
      return new Decoded(null, p, detail);
    }
  }

  /**
   * @throws IllegalArgumentException when this announcement does not fit the format (too many or
   *     invalid URLs, over the size cap): this peer's own config is wrong
   */
  public byte[] encode() {
    if (urls.isEmpty() || urls.size() > MAX_URLS) {
      throw new IllegalArgumentException("an announcement has 1 to " + MAX_URLS + " URLs");
    }
    ByteBuffer b = ByteBuffer.allocate(MAX_BYTES);
    try {
      b.put(MAGIC).put((byte) VERSION).put((byte) (id == null ? 0 : 1)).putLong(instance);
      if (id != null) {
        b.put(id.bytes());
      }
      b.put((byte) urls.size());
      for (String url : urls) {
        if (PeerUrl.tryParse(url) == null) {
          throw new IllegalArgumentException("not a peer URL: " + url);
        }
        byte[] u = url.getBytes(StandardCharsets.UTF_8);
        b.putShort((short) u.length).put(u);
      }
    } catch (java.nio.BufferOverflowException e) {
      throw new IllegalArgumentException("an announcement is at most " + MAX_BYTES + " bytes");
    }
    byte[] out = new byte[b.position()];
    b.flip().get(out);
    return out;
  }

  public static Decoded decode(byte[] packet) {
    if (packet.length > MAX_BYTES) {
      return Decoded.bad(Problem.OVERSIZE, packet.length + " bytes");
    }
    ByteBuffer b = ByteBuffer.wrap(packet);
    try {
      for (byte m : MAGIC) {
        if (b.get() != m) {
          return Decoded.bad(Problem.MAGIC, "not a peerd announcement");
        }
      }
      int version = b.get() & 0xff;
      if (version != VERSION) {
        return Decoded.bad(Problem.VERSION, "version " + version);
      }
      int flags = b.get() & 0xff;
      if ((flags & ~1) != 0) {
        return Decoded.bad(Problem.FLAGS, "flags " + flags);
      }
      long instance = b.getLong();
      PeerId id = null;
      if ((flags & 1) != 0) {
        byte[] raw = new byte[32];
        b.get(raw);
        id = PeerId.ofBytes(raw);
      }
      int count = b.get() & 0xff;
      if (count < 1 || count > MAX_URLS) {
        return Decoded.bad(Problem.URL_COUNT, count + " URLs");
      }
      List<String> urls = new ArrayList<>(count);
      for (int i = 0; i < count; i++) {
        int len = b.getShort() & 0xffff;
        byte[] u = new byte[len];
        b.get(u);
        String text;
        try {
          text =
              StandardCharsets.UTF_8
                  .newDecoder()
                  .onMalformedInput(CodingErrorAction.REPORT)
                  .onUnmappableCharacter(CodingErrorAction.REPORT)
                  .decode(ByteBuffer.wrap(u))
                  .toString();
        } catch (CharacterCodingException e) {
          return Decoded.bad(Problem.URL, "URL " + (i + 1) + " is not UTF-8");
        }
        String url = PeerUrl.tryParse(text);
        if (url == null || !url.equals(text)) {
          // Only the normalised form is taken: what the sender encodes is what the table keys on.
          return Decoded.bad(Problem.URL, "URL " + (i + 1) + " is not scheme://host:port");
        }
        urls.add(url);
      }
      if (b.hasRemaining()) {
        return Decoded.bad(Problem.TRAILING, b.remaining() + " bytes after the last URL");
      }
      return new Decoded(new Announcement(id, urls, instance), null, null);
    } catch (java.nio.BufferUnderflowException e) {
      return Decoded.bad(Problem.TRUNCATED, packet.length + " bytes");
    }
  }
}
