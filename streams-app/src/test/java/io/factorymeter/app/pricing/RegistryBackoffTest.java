package io.factorymeter.app.pricing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class RegistryBackoffTest {

  @Test
  void waitsDoubleFrom100MsToAtMost10S() {
    RegistryBackoff b = new RegistryBackoff();
    List<Long> waits = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      waits.add(b.next());
    }
    assertEquals(List.of(100L, 200L, 400L, 800L, 1_600L, 3_200L, 6_400L, 10_000L, 10_000L, 10_000L), waits);
    b.reset();
    assertEquals(100L, b.next());
  }
}
