package io.peerd.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.peerd.index.Names;
import io.peerd.peers.PeerUrl;
import io.peerd.transfer.ByteRange;
import java.nio.file.Path;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.LongRange;
import net.jqwik.api.constraints.StringLength;
import org.junit.jupiter.api.Tag;

/** Property tests (jqwik) of the parsers that face untrusted input. */
@Tag("unit")
class InputPropertiesTest {

  static final Path ROOT = Path.of("/srv/share");

  /** Names built from the characters that make path tricks: dots, slashes, backslashes, NUL. */
  @Provide
  Arbitrary<String> trickyNames() {
    return Arbitraries.strings().withChars("./\\\u0000a:%~ ").ofMinLength(0).ofMaxLength(24);
  }

  @Property(tries = 5000)
  void anAcceptedNameNeverLeavesTheShare(@ForAll("trickyNames") String name) {
    if (Names.isValid(name)) {
      Path resolved = ROOT.resolve(name).normalize();
      assertTrue(resolved.startsWith(ROOT) && !resolved.equals(ROOT), name + " -> " + resolved);
    }
  }

  @Property(tries = 3000)
  void anyUnicodeNameIsJudgedWithoutThrowing(@ForAll @StringLength(max = 2000) String name) {
    String problem = Names.problem(name);
    if (problem == null) {
      assertTrue(!name.contains("..") || !name.matches("(^|.*/)\\.\\.(/.*|$)"), name);
      assertTrue(
          !name.startsWith("/") && name.indexOf('\\') < 0 && name.indexOf('\u0000') < 0, name);
    }
  }

  @Property(tries = 3000)
  void peerUrlsAreEitherRejectedOrCanonical(@ForAll @StringLength(max = 80) String raw) {
    String url = PeerUrl.tryParse(raw);
    if (url != null) {
      assertEquals(url, PeerUrl.parse(url), "parsing is idempotent");
      assertTrue(url.startsWith("http://") || url.startsWith("https://"), url);
    }
  }

  @Property(tries = 5000)
  void rangesAlwaysFitTheFile(
      @ForAll("rangeHeaders") String header,
      @ForAll @LongRange(min = 0, max = 1L << 40) long size) {
    ByteRange r = ByteRange.parse(header, size);
    if (r != null && r != ByteRange.UNSATISFIABLE) {
      assertTrue(
          r.start() >= 0 && r.length() > 0 && r.end() < size, header + " on " + size + " -> " + r);
    }
  }

  @Provide
  Arbitrary<String> rangeHeaders() {
    Arbitrary<String> num =
        Arbitraries.oneOf(
            Arbitraries.longs().between(-5, 1L << 41).map(String::valueOf),
            Arbitraries.strings().withChars("0123456789-, x").ofMaxLength(6),
            Arbitraries.just(""));
    return net.jqwik.api.Combinators.combine(
            Arbitraries.of("bytes=", "Bytes=", "items=", "bytes =", ""), num, num)
        .as((unit, a, b) -> unit + a + "-" + b);
  }

  /** Query numbers: any text gives a value within [min, max] or a 400, never another exception. */
  @Property(tries = 5000)
  void numericParametersAreInRangeOrA400(@ForAll("numberTexts") String text) {
    try {
      long v = io.peerd.api.Params.number("ttl", text, 3, 0, 16, true);
      assertTrue(v >= 0 && v <= 16, text + " -> " + v);
    } catch (io.peerd.api.BadRequest e) {
      assertEquals(400, e.status());
    }
  }

  @Provide
  Arbitrary<String> numberTexts() {
    return Arbitraries.oneOf(
        Arbitraries.strings().withChars("0123456789-+ .eE,x").ofMaxLength(30),
        Arbitraries.longs().map(String::valueOf),
        Arbitraries.strings().ofMaxLength(10));
  }
}
