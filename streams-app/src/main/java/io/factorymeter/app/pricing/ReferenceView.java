package io.factorymeter.app.pricing;

import io.factorymeter.schema.GpuEmbodied;
import io.factorymeter.schema.GpuRate;
import io.factorymeter.schema.GridIntensity;
import io.factorymeter.schema.Tariff;

/**
 * The reference data (SPEC §2 prices, §2a carbon figures) in effect at an instant, as billing
 * knows it as of a batch close ({@link PriceHistory#asOf}). Each method returns null when no version is in effect.
 */
public interface ReferenceView {

  /** The site's tariff in effect at {@code epochMs}. */
  Tariff tariffAt(String site, long epochMs);

  /** The GPU model's rate in effect at {@code epochMs}. */
  GpuRate gpuRateAt(String gpuModel, long epochMs);

  /** The site's grid carbon intensity in effect at {@code epochMs}. */
  GridIntensity gridIntensityAt(String site, long epochMs);

  /** The GPU model's embodied emissions per GPU-hour in effect at {@code epochMs}. */
  GpuEmbodied gpuEmbodiedAt(String gpuModel, long epochMs);
}
