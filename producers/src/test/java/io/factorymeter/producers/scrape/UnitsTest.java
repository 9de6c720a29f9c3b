package io.factorymeter.producers.scrape;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class UnitsTest {

  @Test
  void dcgmEnergyIsMillijoules() {
    // the T4 capture: 15,152,422,938 mJ since boot = 15,152,422.938 J (4.2 kWh)
    assertEquals(15_152_422.938, Units.joulesFromMillijoules(15_152_422_938.0), 1e-6);
    assertEquals(682.44, Units.joulesFromMillijoules(682_440), 1e-9);
  }

  @Test
  void dcgmUtilizationIsPercent() {
    assertEquals(0.91, Units.ratioFromPercent(91), 1e-12);
    assertEquals(0.0, Units.ratioFromPercent(0));
    assertEquals(1.0, Units.ratioFromPercent(100));
  }

  @Test
  void ratiosAreClampedToZeroToOne() {
    assertEquals(1.0, Units.clampRatio(1.01));
    assertEquals(0.0, Units.clampRatio(-0.01));
    assertEquals(0.5, Units.clampRatio(0.5));
  }
}
