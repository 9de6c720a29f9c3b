package io.factorymeter.contract;

import io.factorymeter.contract.PriceRules.Problem;
import io.factorymeter.schema.GpuEmbodied;
import io.factorymeter.schema.GridIntensity;
import java.util.Optional;

/**
 * What a carbon figure must be (SPEC §2a), beside {@link PriceRules}: {@code reference load}
 * checks them before it sends anything; the pipeline may check the same before it stores a figure.
 *
 * <ul>
 *   <li>site: an identifier of SPEC §1 ({@code [A-Za-z0-9._:/@-]{1,128}}); gpuModel: 1..128
 *       printable characters (as a sample's, and as for prices);
 *   <li>gco2ePerKwh (grid carbon intensity, gCO2e per kWh): finite, 0 .. {@value #MAX_GCO2E_PER_KWH};
 *   <li>gco2ePerGpuHour (embodied emissions per GPU-hour, gCO2e): finite, 0 .. {@value #MAX_GCO2E_PER_GPU_HOUR};
 *   <li>source: optional; when present at most {@value #MAX_SOURCE_LENGTH} characters.
 * </ul>
 *
 * <p>Why these upper bounds: the most carbon-intensive grids (lignite and oil) run at about
 * 1,000–1,300 gCO2e/kWh over an hour, so 5,000 leaves room for any real figure while catching a
 * figure given in the wrong unit (e.g. g/MWh, 1,000 times too large). Published embodied figures
 * of data-center GPUs are a few hundred kg CO2e over a life of years, i.e. some 5–50 g per
 * GPU-hour; 1,000,000 g (one tonne) per GPU-hour is far above anything real (a GPU amortised over
 * a single hour) and only refuses numbers that cannot be meant.
 */
public final class CarbonRules {

  /** Highest grid carbon intensity, gCO2e per kWh. */
  public static final double MAX_GCO2E_PER_KWH = 5_000;
  /** Highest embodied figure, gCO2e per GPU-hour. */
  public static final double MAX_GCO2E_PER_GPU_HOUR = 1_000_000;
  /** Longest source text, characters. */
  public static final int MAX_SOURCE_LENGTH = 1_024;

  private CarbonRules() {
  }

  /** The first rule the grid intensity breaks, or empty when it may be stored. */
  public static Optional<Problem> check(GridIntensity g) {
    return first(site(g.getSite()), between("gco2ePerKwh", g.getGco2ePerKwh(), MAX_GCO2E_PER_KWH), source(g.getSource()));
  }

  /** The first rule the embodied figure breaks, or empty when it may be stored. */
  public static Optional<Problem> check(GpuEmbodied e) {
    return first(gpuModel(e.getGpuModel()), between("gco2ePerGpuHour", e.getGco2ePerGpuHour(), MAX_GCO2E_PER_GPU_HOUR),
        source(e.getSource()));
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
        : Optional.of(new Problem("site", PriceRules.quoted(site), "must match " + NodeSampleRules.ID.pattern()));
  }

  private static Optional<Problem> gpuModel(String gpuModel) {
    return gpuModel != null && NodeSampleRules.isGpuModel(gpuModel) ? Optional.empty()
        : Optional.of(new Problem("gpuModel", PriceRules.quoted(gpuModel), "must be 1..128 printable characters"));
  }

  private static Optional<Problem> between(String field, double value, double max) {
    // written so that NaN fails too
    return value >= 0 && value <= max ? Optional.empty()
        : Optional.of(new Problem(field, Double.toString(value), "must be a finite number from 0 to " + (long) max));
  }

  private static Optional<Problem> source(String source) {
    return source == null || source.length() <= MAX_SOURCE_LENGTH ? Optional.empty()
        : Optional.of(new Problem("source", PriceRules.quoted(source), "must be at most " + MAX_SOURCE_LENGTH + " characters"));
  }
}
