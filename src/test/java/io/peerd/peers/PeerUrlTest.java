package io.peerd.peers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@Tag("unit")
class PeerUrlTest {

  @Test
  void normalises() {
    assertEquals("http://peer2:8002", PeerUrl.parse(" HTTP://Peer2:8002/ "));
    assertEquals("https://[::1]:443", PeerUrl.parse("https://[::1]:443"));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        "peer2:8002",
        "file:///etc/passwd",
        "gopher://h:70",
        "http://h",
        "http://h:0",
        "http://h:99999",
        "http://u:p@h:1",
        "http://h:1/path",
        "http://h:1?q=1",
        "http://:80",
        "javascript:alert(1)"
      })
  void rejects(String raw) {
    assertThrows(IllegalArgumentException.class, () -> PeerUrl.parse(raw));
  }

  @Test
  void rejectsOverlong() {
    assertThrows(
        IllegalArgumentException.class, () -> PeerUrl.parse("http://" + "a".repeat(600) + ":1"));
  }
}
