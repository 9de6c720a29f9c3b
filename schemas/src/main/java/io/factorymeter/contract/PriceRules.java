package io.factorymeter.contract;

import io.factorymeter.schema.GpuEmbodied;
import io.factorymeter.schema.GpuRate;
import io.factorymeter.schema.GridIntensity;
import io.factorymeter.schema.Tariff;
import java.time.Instant;
import java.util.Currency;
import java.util.Optional;

/**
 * What a price or carbon figure must be (SPEC §2 prices, §2a), the one home of these rules:
 * {@code prices load} and {@code reference load} check them before they send anything, and the
 * pipeline before it stores a version (a price breaking one
 * is not stored: it is counted, {@code prices-invalid}, and logged).
 *
 * <ul>
 *   <li>currency: an ISO 4217 code {@link Currency} knows (three capital letters);
 *   <li>site: an identifier of SPEC §1 ({@code [A-Za-z0-9._:/@-]{1,128}}); gpuModel: 1..128
 *       printable characters (as a sample's);
 *   <li>pricePerKwh (currency units per kWh): finite, 0 .. {@value #MAX_PRICE_PER_KWH};
 *   <li>pue (facility energy / IT energy, a ratio): finite, 1 .. {@value #MAX_PUE};
 *   <li>hourlyRate (currency units per GPU-hour): finite, 0 .. {@value #MAX_HOURLY_RATE};
 *   <li>gco2ePerKwh (grid intensity, SPEC §2a): finite, 0 .. {@value #MAX_GCO2E_PER_KWH};
 *   <li>gco2ePerGpuHour (embodied, SPEC §2a): finite, 0 .. {@value #MAX_GCO2E_PER_GPU_HOUR};
 *   <li>source (carbon figures): optional, at most {@value #MAX_SOURCE_LENGTH} characters.
 * </ul>
 *
 * <p>Why these upper bounds: costs are summed in trillionths of a currency unit in a signed 64-bit
 * long, which holds 9.22 million units. The largest sample SPEC §1 allows (2,000 W × 1,024 GPUs
 * for 1 h) uses 2,048 kWh and 1,024 GPU-hours; at the bounds its energy cost is at most
 * 2,048 × 500 × 4 = 4,096,000 units and its capacity cost at most 1,024 × 4,000 = 4,096,000
 * units, so its total (8,192,000 units) stays representable. Carbon is summed in nanograms: at the
 * bounds that sample emits at most 2,048 kWh × 4 × 5,000 g + 1,024 × 10,000 g = 51 t, 5.1 × 10¹⁶ ng
 * of the 9.2 × 10¹⁸ a long holds. The bounds are far above real prices
 * in currencies whose unit is worth more than about a thousandth of a US dollar.
 */
public final class PriceRules {

  /** Highest electricity price, currency units per kWh. */
  public static final double MAX_PRICE_PER_KWH = 500;
  /** Lowest power usage effectiveness: a facility uses at least the energy of its IT. */
  public static final double MIN_PUE = 1;
  /** Highest power usage effectiveness. */
  public static final double MAX_PUE = 4;
  /** Highest GPU capacity rate, currency units per GPU-hour. */
  public static final double MAX_HOURLY_RATE = 4_000;
  /**
   * Highest grid carbon intensity, gCO2e per kWh: the most carbon-intensive grids (lignite, oil) run
   * at about 1,000-1,300 over an hour; 5,000 catches a figure in the wrong unit (g/MWh).
   */
  public static final double MAX_GCO2E_PER_KWH = 5_000;
  /**
   * Highest embodied emissions, gCO2e per GPU-hour: published GPU footprints (a few hundred kg over
   * years) amortise to some 5-50 g.
   */
  public static final double MAX_GCO2E_PER_GPU_HOUR = 10_000;
  /** Longest {@code source} text of a carbon figure, characters. */
  public static final int MAX_SOURCE_LENGTH = 1_024;

  /** A broken rule: the field, its value as read, and the rule. */
  public record Problem(String field, String value, String rule) {
    /** e.g. {@code pricePerKwh = NaN: must be a finite number from 0 to 500}. */
    @Override
    public String toString() {
      return field + " = " + value + ": " + rule;
    }
  }

  private PriceRules() {
  }

  /** The first rule the tariff breaks, or empty when it may be stored. */
  public static Optional<Problem> check(Tariff t) {
    return first(site(t.getSite()), currency(t.getCurrency()),
        between("pricePerKwh", t.getPricePerKwh(), 0, MAX_PRICE_PER_KWH),
        between("pue", t.getPue(), MIN_PUE, MAX_PUE), correction(t.getEffectiveFrom(), t.getPublishedAt()));
  }

  /** The first rule the GPU rate breaks, or empty when it may be stored. */
  public static Optional<Problem> check(GpuRate g) {
    return first(gpuModel(g.getGpuModel()), currency(g.getCurrency()),
        between("hourlyRate", g.getHourlyRate(), 0, MAX_HOURLY_RATE), correction(g.getEffectiveFrom(), g.getPublishedAt()));
  }

  /** The first rule the grid intensity breaks (SPEC §2a), or empty when it may be stored. */
  public static Optional<Problem> check(GridIntensity g) {
    return first(site(g.getSite()), between("gco2ePerKwh", g.getGco2ePerKwh(), 0, MAX_GCO2E_PER_KWH), source(g.getSource()),
        correction(g.getEffectiveFrom(), g.getPublishedAt()));
  }

  /** The first rule the embodied figure breaks (SPEC §2a), or empty when it may be stored. */
  public static Optional<Problem> check(GpuEmbodied g) {
    return first(gpuModel(g.getGpuModel()), between("gco2ePerGpuHour", g.getGco2ePerGpuHour(), 0, MAX_GCO2E_PER_GPU_HOUR),
        source(g.getSource()), correction(g.getEffectiveFrom(), g.getPublishedAt()));
  }

  /** Whether {@code code} is an ISO 4217 currency code (three capital letters Java knows). */
  public static boolean isCurrency(String code) {
    if (code == null || !code.matches("[A-Z]{3}")) {
      return false;
    }
    try {
      Currency.getInstance(code);
      return true;
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  @SafeVarargs
  private static Optional<Problem> first(Optional<Problem>... checks) {
    for (Optional<Problem> c : checks) {
      if (c.isPresent()) {
        return c;
      }
    }
    return Optional.empty();
  }

  private static Optional<Problem> site(String site) {
    return site != null && NodeSampleRules.ID.matcher(site).matches() ? Optional.empty()
        : Optional.of(new Problem("site", quoted(site), "must match " + NodeSampleRules.ID.pattern()));
  }

  private static Optional<Problem> gpuModel(String gpuModel) {
    return gpuModel != null && NodeSampleRules.isGpuModel(gpuModel) ? Optional.empty()
        : Optional.of(new Problem("gpuModel", quoted(gpuModel), "must be 1..128 printable characters"));
  }

  private static Optional<Problem> currency(String currency) {
    return isCurrency(currency) ? Optional.empty()
        : Optional.of(new Problem("currency", quoted(currency), "must be an ISO 4217 currency code like USD"));
  }

  /**
   * A correction (publishedAt after effectiveFrom, SPEC §2a) takes effect on a whole minute: billing
   * keeps the quantities of the samples it restates per minute (and per version boundary known when
   * they were metered), so a boundary inside a minute could not be drawn afterwards.
   */
  private static Optional<Problem> correction(Instant effectiveFrom, Instant publishedAt) {
    return publishedAt == null || !publishedAt.isAfter(effectiveFrom) || effectiveFrom.toEpochMilli() % MINUTE_MS == 0
        ? Optional.empty()
        : Optional.of(new Problem("effectiveFrom", effectiveFrom.toString(),
            "must be a whole minute for a correction (publishedAt " + publishedAt + " is later)"));
  }

  private static final long MINUTE_MS = 60_000;

  private static Optional<Problem> source(String source) {
    return source == null || source.length() <= MAX_SOURCE_LENGTH ? Optional.empty()
        : Optional.of(new Problem("source", quoted(source), "must be at most " + MAX_SOURCE_LENGTH + " characters"));
  }

  private static Optional<Problem> between(String field, double value, double min, double max) {
    // written so that NaN fails too
    return value >= min && value <= max ? Optional.empty()
        : Optional.of(new Problem(field, Double.toString(value), "must be a finite number from " + number(min) + " to " + number(max)));
  }

  private static String number(double v) {
    return v == Math.rint(v) ? Long.toString((long) v) : Double.toString(v);
  }

  /** The text in quotes, control characters shown as '?', cut after 64 characters (it goes to a log line). */
  public static String quoted(String s) {
    if (s == null) {
      return "null";
    }
    String cut = s.length() > 64 ? s.substring(0, 64) + "..." : s;
    return "'" + cut.replaceAll("\\p{Cntrl}", "?") + "'";
  }
}
