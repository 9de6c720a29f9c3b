package io.factorymeter.app.metering;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.factorymeter.app.pricing.ReferenceView;
import io.factorymeter.schema.GpuEmbodied;
import io.factorymeter.schema.GpuRate;
import io.factorymeter.schema.GridIntensity;
import io.factorymeter.schema.Tariff;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** Billing's quantities per reference interval and their pricing (SPEC §2, §2a), worked out by hand; no driver. */
class ReferenceQuantitiesTest {

  private static final long T10 = Instant.parse("2026-11-26T10:00:00Z").toEpochMilli();
  private static final String GPU = "H100-SXM5-80GB";

  /** s1: 0.20 /kWh at PUE 1.5, 400 g/kWh; H100: 2.00 /GPU-h, 25 g/GPU-h; s2: a tariff of PUE 1 and 1,800 g/kWh; s3: nothing. */
  private static final ReferenceView VIEW = new ReferenceView() {
    @Override
    public Tariff tariffAt(String site, long t) {
      return switch (site) {
        case "s1" -> new Tariff("s1", "USD", 0.20, 1.5, Instant.EPOCH, null);
        case "s2" -> new Tariff("s2", "USD", 0.0, 1.0, Instant.EPOCH, null);
        default -> null;
      };
    }

    @Override
    public GpuRate gpuRateAt(String gpuModel, long t) {
      return new GpuRate(gpuModel, "USD", 2.00, Instant.EPOCH, null);
    }

    @Override
    public GridIntensity gridIntensityAt(String site, long t) {
      return switch (site) {
        case "s1" -> new GridIntensity("s1", 400.0, Instant.EPOCH, null, null);
        case "s2" -> new GridIntensity("s2", 1_800.0, Instant.EPOCH, null, null);
        default -> null;
      };
    }

    @Override
    public GpuEmbodied gpuEmbodiedAt(String gpuModel, long t) {
      return new GpuEmbodied(gpuModel, 25.0, Instant.EPOCH, null, null);
    }
  };

  /** 3,600 W × 10 s = 3.6e10 µJ; 8 GPUs × 10,000 ms = 8e10 GPU-ns. */
  private static ReferenceQuantities sample(long timestamp, long boundary) {
    return ReferenceQuantities.of(timestamp, boundary, "s1", GPU, 36_000_000_000L, 8, 10_000);
  }

  @Test
  void aSampleFallsInItsMinuteOrFromTheLastBoundaryInsideIt() {
    ReferenceQuantities q = sample(T10 + 50_000, Long.MIN_VALUE)
        .add(sample(T10 + 40_000, T10 + 30_000))       // a version took effect at 10:00:30
        .add(sample(T10 + 20_000, T10 - 3_600_000));   // its last boundary is an hour earlier: the minute
    assertEquals("{" + T10 + "|s1|" + GPU + "=[2, 72000000000, 160000000000] "
        + (T10 + 30_000) + "|s1|" + GPU + "=[1, 36000000000, 80000000000] }", q.toString());
    assertEquals(3 * 36_000_000_000L, q.energyMicrojoules());
  }

  @Test
  void splitsEnergyAndGpuTimeByWeightKeepingSampleCounts() {
    ReferenceQuantities[] parts = sample(T10, Long.MIN_VALUE).split(new double[] {1, 3});
    assertEquals("{" + T10 + "|s1|" + GPU + "=[1, 9000000000, 20000000000] }", parts[0].toString());
    assertEquals("{" + T10 + "|s1|" + GPU + "=[1, 27000000000, 60000000000] }", parts[1].toString());
  }

  @Test
  void aLineIsTheExactSumOverBucketsRoundedOnce() {
    ReferenceQuantities line = sample(T10, Long.MIN_VALUE).add(sample(T10 + 60_000, Long.MIN_VALUE))
        .add(sample(T10 + 120_000, Long.MIN_VALUE));
    CostSums c = CostSums.of(line, VIEW);
    // energy 3 × 3.6e10 × 0.20 × 1.5 / 3.6 = 9e9 ps
    assertEquals(0.009, c.energyCost(), 1e-15);
    // capacity 3 × 8e10 × 2 / 3.6 = 133,333,333,333.3 ps → 133,333,333,333 (each sample rounded alone would give …332)
    assertEquals(0.133333333333, c.capacityCost(), 1e-15);
    // operational 3 × 3.6e10 × 1.5 × 400 / 3,600 = 1.8e10 ng; embodied 3 × 8e10 × 25 / 3,600 = 1,666,666,666.7 → …667 ng
    assertEquals(18, c.operationalCarbonG(), 1e-12);
    assertEquals(1.666666667, c.embodiedCarbonG(), 1e-12);
    assertEquals(0, c.unpricedSamples());
  }

  @Test
  void halvesRoundToEven() {
    // s2: operational = µJ × 1 × 1,800 / 3,600 = µJ / 2 ng
    assertEquals(2e-9, CostSums.of(ReferenceQuantities.of(T10, Long.MIN_VALUE, "s2", GPU, 5, 1, 1), VIEW).operationalCarbonG(), 1e-18);
    assertEquals(4e-9, CostSums.of(ReferenceQuantities.of(T10, Long.MIN_VALUE, "s2", GPU, 7, 1, 1), VIEW).operationalCarbonG(), 1e-18);
  }

  @Test
  void aBucketWithoutItsReferenceValueMakesTheFigureNull() {
    ReferenceQuantities q = sample(T10, Long.MIN_VALUE).add(ReferenceQuantities.of(T10, Long.MIN_VALUE, "s3", GPU, 1_000, 8, 10_000));
    CostSums c = CostSums.of(q, VIEW);
    assertNull(c.energyCost());
    assertNull(c.totalCost());
    assertNull(c.operationalCarbonG());
    assertEquals(0.088888888889, c.capacityCost(), 1e-15);   // 2 × 8e10 × 2 / 3.6 = 88,888,888,888.9 ps
    assertEquals(1, c.unpricedSamples());
    assertEquals(36_000.001, c.energyJ(), 1e-9);
  }

  @Test
  void readsBackWhatItWrote() throws Exception {
    ReferenceQuantities q = sample(T10, Long.MIN_VALUE).add(ReferenceQuantities.of(T10 + 5, T10, "s|2", "GPU x", 7, 1, 1));
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    q.writeTo(new DataOutputStream(bytes));
    assertEquals(q, ReferenceQuantities.readFrom(new DataInputStream(new ByteArrayInputStream(bytes.toByteArray()))));
  }
}
