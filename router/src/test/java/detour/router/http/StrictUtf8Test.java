package detour.router.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The validator agrees with the JDK's strict UTF-8 decoder on validity and on where the first flaw is. */
class StrictUtf8Test {
  /** The bytes where UTF-8's rules change: every lead byte's range edges and the continuation range's. */
  static final int[] EDGES = {0x01, 0x2F, 0x7F, 0x80, 0x8F, 0x90, 0x9F, 0xA0, 0xBF, 0xC0, 0xC1, 0xC2, 0xDF, 0xE0,
      0xE1, 0xEC, 0xED, 0xEE, 0xEF, 0xF0, 0xF1, 0xF3, 0xF4, 0xF5, 0xF8, 0xFE, 0xFF};

  @Test
  void everySequenceOfOneOrTwoBytesIsJudgedAsTheJdkJudgesIt() {
    for (int a = 1; a < 256; a++) {
      assertAgrees(new byte[] {(byte) a});
      for (int b = 1; b < 256; b++) assertAgrees(new byte[] {(byte) a, (byte) b});
    }
  }

  @Test
  void everyLeadByteWithEveryEdgeOfThreeAndFourByteFormsIsJudgedAsTheJdkJudgesIt() {
    for (int lead = 0xC0; lead < 256; lead++) {
      for (int b : EDGES) {
        for (int c : EDGES) {
          assertAgrees(new byte[] {(byte) lead, (byte) b, (byte) c});
          for (int d : EDGES) assertAgrees(new byte[] {(byte) lead, (byte) b, (byte) c, (byte) d, 'x'});
        }
      }
    }
  }

  @Test
  void randomTextOfMixedBytesIsJudgedAsTheJdkJudgesIt() {
    Random random = new Random(15);  // fixed: the same cases every run
    for (int n = 0; n < 200_000; n++) {
      byte[] bytes = new byte[1 + random.nextInt(12)];
      for (int i = 0; i < bytes.length; i++) {
        bytes[i] = (byte) (random.nextBoolean() ? EDGES[random.nextInt(EDGES.length)] : 1 + random.nextInt(255));
      }
      assertAgrees(bytes);
    }
  }

  @Test
  void aFlawAnywhereInALongAsciiRunIsFoundWhereItIs() {
    // Runs of ASCII are read eight bytes at a time: each position of a word, and the tail after the last word.
    for (int flawed : new int[] {0x00, 0x80, 0xC3, 0xFF}) {
      for (int at = 0; at < 40; at++) {
        byte[] bytes = "the quick brown fox jumps over a lazy dog".getBytes(StandardCharsets.US_ASCII);
        bytes[at] = (byte) flawed;
        StrictUtf8.Flaw flaw = StrictUtf8.firstFlaw(bytes, 0, bytes.length);
        assertNotNull(flaw, at + ": " + flawed);
        assertEquals(at, flaw.offset());
      }
    }
  }

  @Test
  void aNulIsAFlawThoughUtf8AllowsIt() {
    StrictUtf8.Flaw flaw = StrictUtf8.firstFlaw(new byte[] {'{', 0, '}'}, 0, 3);
    assertNotNull(flaw);
    assertEquals(1, flaw.offset());
  }

  @Test
  void onlyTheGivenRangeIsRead() {
    byte[] bytes = HexFormat.of().parseHex("ff41c3a9ff");
    assertNull(StrictUtf8.firstFlaw(bytes, 1, 3));
    assertEquals(3, StrictUtf8.firstFlaw(bytes, 1, 4).offset());  // counted from the range's start
  }

  private static final CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
      .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);

  private static void assertAgrees(byte[] bytes) {
    StrictUtf8.Flaw flaw = StrictUtf8.firstFlaw(bytes, 0, bytes.length);
    Integer jdk = jdkFlawOffset(bytes);
    assertEquals(jdk, flaw == null ? null : flaw.offset(), () -> HexFormat.of().formatHex(bytes) + ": " + flaw);
  }

  /** Where the JDK's decoder, told to report rather than replace, finds the first malformed byte. */
  private static Integer jdkFlawOffset(byte[] bytes) {
    decoder.reset();
    ByteBuffer in = ByteBuffer.wrap(bytes);
    CharBuffer out = CharBuffer.allocate(bytes.length * 2);
    CoderResult result = decoder.decode(in, out, true);
    if (!result.isError()) result = decoder.flush(out);
    return result.isError() ? in.position() : null;
  }
}
