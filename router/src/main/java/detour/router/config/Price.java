package detour.router.config;

import java.math.BigDecimal;
import java.math.RoundingMode;

/**
 * A model's list price, in US dollars per million tokens.
 *
 * @param inputPerMtok what a million prompt tokens cost
 * @param outputPerMtok what a million generated tokens cost
 */
public record Price(double inputPerMtok, double outputPerMtok) {
  /** The share of input tokens in the blended price: 3 input tokens for every output token. */
  public static final double BLEND_INPUT_SHARE = 0.75;

  public Price {
    if (!(inputPerMtok >= 0) || !(outputPerMtok >= 0) || Double.isInfinite(inputPerMtok)
        || Double.isInfinite(outputPerMtok)) {
      throw new IllegalArgumentException("prices must be finite and not negative, got input "
          + inputPerMtok + ", output " + outputPerMtok);
    }
  }

  /**
   * One number per model for comparing prices: the price of a million tokens of which three
   * quarters are prompt and one quarter answer, the ratio most price comparisons use.
   */
  public double blendedPerMtok() {
    return BLEND_INPUT_SHARE * inputPerMtok + (1 - BLEND_INPUT_SHARE) * outputPerMtok;
  }

  /** What {@code promptTokens} in and {@code outputTokens} out cost, in dollars. */
  public double cost(long promptTokens, long outputTokens) {
    return (promptTokens * inputPerMtok + outputTokens * outputPerMtok) / 1_000_000d;
  }

  /** $0.05, $2.00, $0.0012: dollars as traces and messages show them. */
  public static String usd(double dollars) {
    BigDecimal d = BigDecimal.valueOf(dollars);
    // At least two decimals, and four significant digits below a cent.
    int scale = Math.max(2, Math.min(8, d.scale() - d.precision() + 4));
    d = d.setScale(scale, RoundingMode.HALF_UP).stripTrailingZeros();
    if (d.scale() < 2) d = d.setScale(2, RoundingMode.UNNECESSARY);
    return "$" + d.toPlainString();
  }
}
