package io.peerd.identity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

@Tag("unit")
class PeerRecordTest {

  static final Identity ALICE = Identity.generate();
  static final Identity MALLORY = Identity.generate();
  static final List<String> URLS = List.of("http://127.0.0.1:8001", "https://127.0.0.1:9001");

  @Test
  void aSignedRecordIsBelieved() {
    PeerRecord r = PeerRecord.sign(ALICE, URLS, 42);
    assertNull(r.problem());
    assertEquals("http://127.0.0.1:8001", r.restUrl());
    assertEquals("https://127.0.0.1:9001", r.secureUrl());
  }

  @Test
  void changedFieldsBreakTheSignature() {
    PeerRecord r = PeerRecord.sign(ALICE, URLS, 42);
    assertEquals(
        "bad signature",
        new PeerRecord(r.id(), List.of("http://10.0.0.66:8001"), 42, r.certificate(), r.signature())
            .problem());
    assertEquals(
        "bad signature",
        new PeerRecord(r.id(), URLS, 43, r.certificate(), r.signature()).problem());
  }

  @Test
  void anotherKeyCannotSignForAnId() {
    PeerRecord real = PeerRecord.sign(ALICE, URLS, 42);
    PeerRecord mallorys = PeerRecord.sign(MALLORY, List.of("http://10.0.0.66:8001"), 99);
    // Alice's id and certificate, Mallory's signature.
    assertEquals(
        "bad signature",
        new PeerRecord(real.id(), mallorys.urls(), 99, real.certificate(), mallorys.signature())
            .problem());
    // Alice's id, Mallory's certificate and signature.
    assertEquals(
        "the certificate is not the id's",
        new PeerRecord(real.id(), mallorys.urls(), 99, mallorys.certificate(), mallorys.signature())
            .problem());
  }

  @Test
  void malformedPartsAreRefusedNotThrown() {
    PeerRecord r = PeerRecord.sign(ALICE, URLS, 1);
    assertEquals("bad base64", new PeerRecord(r.id(), URLS, 1, "%%%", r.signature()).problem());
    assertEquals(
        "between 1 and 4 URLs",
        new PeerRecord(r.id(), List.of(), 1, r.certificate(), r.signature()).problem());
    assertEquals(
        "a URL is empty, too long, or has spaces or control characters",
        new PeerRecord(r.id(), List.of("http://a:1\nhttp://b:2"), 1, r.certificate(), r.signature())
            .problem());
    String junk = Base64.getEncoder().encodeToString(new byte[] {1, 2, 3});
    assertEquals(
        "the certificate is not the id's",
        new PeerRecord(r.id(), URLS, 1, junk, r.signature()).problem());
  }
}
