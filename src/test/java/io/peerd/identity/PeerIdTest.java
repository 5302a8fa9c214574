package io.peerd.identity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

@Tag("unit")
class PeerIdTest {

  static final PeerId ID = PeerId.of("a certificate".getBytes(StandardCharsets.UTF_8));

  @Test
  void printsEightGroupsOfSevenAndReadsBack() {
    String text = ID.toString();
    assertEquals(PeerId.TEXT_LENGTH, text.length());
    assertTrue(text.matches("([A-Z2-7]{7}-){7}[A-Z2-7]{7}"), text);
    assertEquals(ID, PeerId.parse(text));
    // As a person may type it: lower case, no dashes, spaces.
    assertEquals(ID, PeerId.parse(text.toLowerCase().replace("-", "")));
    assertEquals(ID, PeerId.parse(" " + text.replace("-", " ") + " "));
  }

  @Test
  void theBase32IsTheCertificatesSha256() {
    // SHA-256("abc") = ba7816bf...; its base32 (RFC 4648, unpadded) is known.
    PeerId abc = PeerId.of("abc".getBytes(StandardCharsets.UTF_8));
    assertEquals("XJ4BNP4PAHH6UQKBIDPF3LRCEOYAGYNDSYLXVHFUCD7WD4QACWWQ", abc.base32());
  }

  @Test
  void everySingleCharacterTypoIsCaught() {
    String text = ID.toString();
    int caught = 0;
    int tried = 0;
    for (int i = 0; i < text.length(); i++) {
      if (text.charAt(i) == '-') {
        continue;
      }
      for (char c : PeerId.ALPHABET.toCharArray()) {
        if (c == text.charAt(i)) {
          continue;
        }
        tried++;
        String typo = text.substring(0, i) + c + text.substring(i + 1);
        if (PeerId.tryParse(typo) == null) {
          caught++;
        }
      }
    }
    assertEquals(tried, caught);
  }

  @Test
  void mostSwapsOfNeighboursAreCaught() {
    String plain = ID.toString().replace("-", "");
    int swaps = 0;
    int caught = 0;
    for (int i = 0; i + 1 < plain.length(); i++) {
      if (plain.charAt(i) == plain.charAt(i + 1)) {
        continue;
      }
      swaps++;
      String swapped =
          plain.substring(0, i) + plain.charAt(i + 1) + plain.charAt(i) + plain.substring(i + 2);
      if (PeerId.tryParse(swapped) == null) {
        caught++;
      }
    }
    // Luhn mod 32 misses only swaps that straddle two check groups or a few special pairs.
    assertTrue(caught >= swaps * 8 / 10, caught + " of " + swaps);
  }

  @Test
  void badTextSaysWhy() {
    assertThrows(IllegalArgumentException.class, () -> PeerId.parse(null));
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> PeerId.parse("not-an-id"));
    assertTrue(e.getMessage().contains("56 characters"), e.getMessage());
    assertNull(PeerId.tryParse("1".repeat(56)));
    assertNull(PeerId.tryParse("x".repeat(10_000)));
    assertNotEquals(ID, PeerId.of(new byte[0]));
  }
}
