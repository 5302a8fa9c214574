package io.peerd.discovery;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.peerd.discovery.Announcement.Problem;
import io.peerd.identity.Identity;
import io.peerd.identity.PeerId;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** The packet format: what goes out comes back, and nothing malformed gets in. */
@Tag("unit")
class AnnouncementTest {

  static final PeerId ID = Identity.generate().id();

  static final byte[] ID_WITH_FIRST_BYTE_32 = new byte[32];

  static {
    Arrays.fill(ID_WITH_FIRST_BYTE_32, (byte) 32);
  }

  @Test
  void anIdRoundTripsThroughItsBytes() {
    assertEquals(ID, PeerId.ofBytes(ID.bytes()));
    assertEquals(32, ID.bytes().length);
  }

  /**
   * A heard URL's host stands for the sender only when it is a loopback or wildcard literal; that
   * check runs on the event loop, so anything but a strict literal is a name, never looked up (the
   * JDK would resolve "cafe" or "999.1.1.1").
   */
  @Test
  void onlyStrictLiteralsAreReadAsAddressesAndNamesAreLeftAlone() {
    for (String name : List.of("cafe", "a1", "999.1.1.1", "1.2.3", "1..2.3", "\u0661.0.0.1")) {
      assertNull(LocalDiscovery.literal(name), name);
    }
    for (String name : List.of("cafe", "a1", "dead-beef")) {
      assertEquals(
          "http://" + name + ":8001",
          LocalDiscovery.fromSender("http://" + name + ":8001", "10.0.0.2"),
          name);
    }
    assertNull(LocalDiscovery.literal("::zz"));
    assertEquals(
        "http://10.0.0.2:8001", LocalDiscovery.fromSender("http://127.0.0.1:8001", "10.0.0.2"));
    assertEquals(
        "http://10.0.0.2:8001", LocalDiscovery.fromSender("http://0.0.0.0:8001", "10.0.0.2"));
    assertEquals(
        "http://[fe80::1]:8001", LocalDiscovery.fromSender("http://[::1]:8001", "fe80::1%eth0"));
    assertEquals(
        "http://10.0.0.9:8001", LocalDiscovery.fromSender("http://10.0.0.9:8001", "10.0.0.2"));
  }

  @Test
  void whatIsEncodedDecodesToTheSame() {
    for (Announcement a :
        List.of(
            new Announcement(ID, List.of("http://10.1.2.3:8001"), 42),
            new Announcement(null, List.of("https://[fe80::1]:443"), -1),
            new Announcement(
                ID,
                List.of(
                    "http://a.example:1",
                    "http://b.example:2",
                    "https://c.example:3",
                    "http://0.0.0.0:8001"),
                Long.MIN_VALUE))) {
      byte[] wire = a.encode();
      Announcement.Decoded d = Announcement.decode(wire);
      assertNull(d.problem(), () -> "" + d.detail());
      assertEquals(a, d.announcement());
    }
  }

  @Test
  void theLayoutIsTheDocumentedOne() {
    byte[] wire = new Announcement(null, List.of("http://h:1"), 1).encode();
    byte[] expected =
        ByteBuffer.allocate(4 + 1 + 1 + 8 + 1 + 2 + 10)
            .put(new byte[] {0x70, 0x64, 0x73, 0x63, 1, 0})
            .putLong(1)
            .put((byte) 1)
            .putShort((short) 10)
            .put("http://h:1".getBytes(StandardCharsets.US_ASCII))
            .array();
    assertArrayEquals(expected, wire);
  }

  @Test
  void thisPeersOwnBadAnnouncementIsRefusedWhenEncoded() {
    assertThrows(IllegalArgumentException.class, () -> new Announcement(ID, List.of(), 1).encode());
    assertThrows(
        IllegalArgumentException.class,
        () -> new Announcement(ID, List.of("ftp://h:1"), 1).encode());
    String longHost = "http://" + "a".repeat(300) + ":1";
    assertThrows(
        IllegalArgumentException.class,
        () -> new Announcement(ID, List.of(longHost, longHost, longHost, longHost), 1).encode());
  }

  /** A packet, and what must be wrong with it. */
  record Bad(String what, byte[] packet, Problem problem) {}

  @Test
  void malformedPacketsAreNamedNeverThrown() {
    byte[] good = new Announcement(ID, List.of("http://10.0.0.1:8001"), 7).encode();
    byte[] noId = new Announcement(null, List.of("http://10.0.0.1:8001"), 7).encode();
    int urlCountAt = 4 + 1 + 1 + 8 + 32;
    List<Bad> table =
        List.of(
            new Bad("empty", new byte[0], Problem.TRUNCATED),
            new Bad("wrong magic", with(good, 0, 0x50), Problem.MAGIC),
            new Bad(
                "Syncthing's magic",
                new byte[] {0x2e, (byte) 0xa7, (byte) 0xd9, 0x0b, 0, 0},
                Problem.MAGIC),
            new Bad("version 2", with(good, 4, 2), Problem.VERSION),
            new Bad("unknown flag", with(good, 5, 3), Problem.FLAGS),
            new Bad("truncated in the id", Arrays.copyOf(good, 30), Problem.TRUNCATED),
            new Bad("truncated in a URL", Arrays.copyOf(good, good.length - 1), Problem.TRUNCATED),
            new Bad("no URL", with(good, urlCountAt, 0), Problem.URL_COUNT),
            new Bad("five URLs", with(good, urlCountAt, 5), Problem.URL_COUNT),
            new Bad(
                "a byte after the last URL",
                Arrays.copyOf(good, good.length + 1),
                Problem.TRAILING),
            // An id whose first byte, read as the URL count, is over 4 (a random one's may be 1-4,
            // and then the bytes read as URLs run out: TRUNCATED, one run in 50).
            new Bad(
                "id flag cleared: the id reads as URLs",
                with(
                    new Announcement(
                            PeerId.ofBytes(ID_WITH_FIRST_BYTE_32),
                            List.of("http://10.0.0.1:8001"),
                            7)
                        .encode(),
                    5,
                    0),
                Problem.URL_COUNT),
            new Bad("no id flag set on a packet without one", with(noId, 5, 1), Problem.TRUNCATED),
            new Bad("oversize", new byte[Announcement.MAX_BYTES + 1], Problem.OVERSIZE),
            new Bad("ftp URL", packet("ftp://10.0.0.1:21"), Problem.URL),
            new Bad("URL with a path", packet("http://10.0.0.1:1/x"), Problem.URL),
            new Bad("URL without a port", packet("http://10.0.0.1"), Problem.URL),
            new Bad("URL not normalised", packet("HTTP://Host:1"), Problem.URL),
            new Bad("URL not UTF-8", packet(new byte[] {'h', (byte) 0xff}), Problem.URL));
    for (Bad b : table) {
      Announcement.Decoded d = Announcement.decode(b.packet());
      assertNull(d.announcement(), b.what());
      assertEquals(b.problem(), d.problem(), b.what() + ": " + d.detail());
      assertNotNull(d.detail(), b.what());
    }
  }

  @Test
  void randomBytesNeverThrowAndAreRarelyAnything() {
    Random random = new Random(19);
    byte[] good = new Announcement(ID, List.of("http://10.0.0.1:8001"), 7).encode();
    int taken = 0;
    for (int i = 0; i < 20_000; i++) {
      byte[] p;
      if (i % 2 == 0) {
        p = new byte[random.nextInt(1100)];
        random.nextBytes(p);
      } else {
        // The right prefix with random damage further on: the parser's hardest cases.
        p = Arrays.copyOf(good, Math.max(1, good.length + random.nextInt(9) - 4));
        for (int k = 0; k < 3; k++) {
          p[6 + random.nextInt(p.length - 6 > 0 ? p.length - 6 : 1) % Math.max(1, p.length - 6)] =
              (byte) random.nextInt(256);
        }
      }
      Announcement.Decoded d = Announcement.decode(p);
      if (d.announcement() != null) {
        taken++;
        // Whatever is taken is a valid announcement, and encodes back to those very bytes.
        assertArrayEquals(p, d.announcement().encode());
      }
    }
    assertEquals(true, taken < 10_000, "most damaged packets are refused: " + taken);
  }

  private static byte[] with(byte[] p, int at, int value) {
    byte[] out = p.clone();
    out[at] = (byte) value;
    return out;
  }

  private static byte[] packet(String url) {
    return packet(url.getBytes(StandardCharsets.UTF_8));
  }

  private static byte[] packet(byte[] url) {
    return ByteBuffer.allocate(4 + 1 + 1 + 8 + 1 + 2 + url.length)
        .put(new byte[] {0x70, 0x64, 0x73, 0x63, 1, 0})
        .putLong(9)
        .put((byte) 1)
        .putShort((short) url.length)
        .put(url)
        .array();
  }
}
