package detour.router.http;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * Checks that bytes are well-formed UTF-8 (Unicode's table 3-7) before Jackson reads them.
 * Jackson decodes leniently: an overlong {@code C0 AF} becomes '/', {@code ED A0 80} a lone
 * surrogate, {@code F4 90 80 80} a code point beyond U+10FFFF; a check after parsing could no longer
 * tell. One pass over the array, no copy and no allocation; ASCII, nearly every byte of a request,
 * is passed over eight bytes at a time.
 *
 * <p>A NUL byte is refused too, although it is UTF-8: JSON never contains one unescaped, and
 * refusing it keeps Jackson from taking a body for UTF-16 or UTF-32, which it would otherwise
 * detect from the NULs in its first bytes and read (RFC 8259 wants UTF-8 between systems).
 */
final class StrictUtf8 {
  private StrictUtf8() {}

  /** Eight bytes of the array as one long; the order does not matter to the tests made of it. */
  private static final VarHandle EIGHT = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
  private static final long HIGH_BITS = 0x8080808080808080L;
  private static final long LOW_BITS = 0x0101010101010101L;

  /** Why bytes are not strict UTF-8, and at which offset in them. */
  record Flaw(int offset, String reason) {}

  /** The first flaw in {@code bytes[from, from + length)}, or null if there is none. */
  static Flaw firstFlaw(byte[] bytes, int from, int length) {
    int end = from + length;
    int i = from;
    while (i < end) {
      if (bytes[i] > 0) {
        // A run of ASCII but NUL, eight bytes at a time while no byte has its high bit set and
        // (the classic test) none is zero, then byte by byte up to the next other byte.
        i++;
        while (i + 8 <= end) {
          long word = (long) EIGHT.get(bytes, i);
          if ((word & HIGH_BITS) != 0 || ((word - LOW_BITS) & ~word & HIGH_BITS) != 0) break;
          i += 8;
        }
        while (i < end && bytes[i] > 0) i++;
        continue;
      }
      int size = wellFormedLength(bytes, i, end);
      if (size == 0) return flaw(bytes, i, end, from);
      i += size;
    }
    return null;
  }

  /** The length of the well-formed character that starts at i with a byte that is not ASCII, or 0. */
  private static int wellFormedLength(byte[] bytes, int i, int end) {
    int lead = bytes[i] & 0xFF;
    if (lead < 0xC2) return 0;  // NUL, a continuation byte, or the overlong C0 and C1
    if (lead < 0xE0) return i + 1 < end && continuation(bytes[i + 1]) ? 2 : 0;
    if (lead < 0xF0) {
      return i + 2 < end && secondInRange(lead, bytes[i + 1] & 0xFF) && continuation(bytes[i + 2]) ? 3 : 0;
    }
    return lead <= 0xF4 && i + 3 < end && secondInRange(lead, bytes[i + 1] & 0xFF) && continuation(bytes[i + 2])
        && continuation(bytes[i + 3]) ? 4 : 0;
  }

  /** Table 3-7 narrows the second byte's range after four lead bytes; any other takes 80..BF. */
  private static boolean secondInRange(int lead, int second) {
    int low = lead == 0xE0 ? 0xA0 : lead == 0xF0 ? 0x90 : 0x80;   // else an overlong encoding
    int high = lead == 0xED ? 0x9F : lead == 0xF4 ? 0x8F : 0xBF;  // else a surrogate, or beyond U+10FFFF
    return second >= low && second <= high;
  }

  private static boolean continuation(byte b) {
    return (b & 0xC0) == 0x80;
  }

  /** Why the sequence at i is not well-formed; only on the way to a refusal, so plain rather than fast. */
  private static Flaw flaw(byte[] bytes, int i, int end, int from) {
    int lead = bytes[i] & 0xFF;
    return new Flaw(i - from, lead == 0 ? "a NUL byte (the body must be UTF-8 JSON, which never holds one)"
        : lead <= 0xBF ? "a continuation byte with no lead byte"
        : lead <= 0xC1 ? "an overlong encoding"
        : lead > 0xF4 ? "a byte that never occurs in UTF-8"
        : sequenceFlaw(bytes, i, end, lead));
  }

  private static String sequenceFlaw(byte[] bytes, int i, int end, int lead) {
    int size = lead < 0xE0 ? 2 : lead < 0xF0 ? 3 : 4;
    for (int k = 1; k < size; k++) {
      if (i + k >= end) return "a sequence cut short by the end of the body";
      if (!continuation(bytes[i + k])) return "a sequence cut short";
      if (k == 1 && !secondInRange(lead, bytes[i + 1] & 0xFF)) {
        return lead == 0xED ? "an encoded UTF-16 surrogate" : lead == 0xF4 ? "a code point beyond U+10FFFF"
            : "an overlong encoding";
      }
    }
    throw new IllegalStateException("a well-formed sequence taken for a flaw");
  }
}
