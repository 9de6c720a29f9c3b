package io.factorymeter.contract;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The hand-written id check against the published pattern {@link NodeSampleRules#ID}. */
class NodeSampleRulesTest {

  @Test
  void isIdAgreesWithThePatternOnEveryCharacter() {
    for (int c = 0; c <= 0xffff; c++) {
      String id = "n" + (char) c + "1";
      assertEquals(NodeSampleRules.ID.matcher(id).matches(), NodeSampleRules.isId(id), "character U+" + Integer.toHexString(c));
    }
  }

  @Test
  void isIdLengthsAndNull() {
    assertFalse(NodeSampleRules.isId(null));
    assertFalse(NodeSampleRules.isId(""));
    assertTrue(NodeSampleRules.isId("a"));
    assertTrue(NodeSampleRules.isId("x".repeat(128)));
    assertFalse(NodeSampleRules.isId("x".repeat(129)));
    assertTrue(NodeSampleRules.isId("dc-eu.rack:07/node@gpu_3"));
  }

  @Test
  void gpuModelRefusesControlCharacters() {
    assertTrue(NodeSampleRules.isGpuModel("NVIDIA H100 80GB HBM3"));
    assertFalse(NodeSampleRules.isGpuModel("H100\n"));
    assertFalse(NodeSampleRules.isGpuModel("H100\u007f"));
    assertFalse(NodeSampleRules.isGpuModel(""));
    assertTrue(NodeSampleRules.isGpuModel("é".repeat(128)));
    assertFalse(NodeSampleRules.isGpuModel("é".repeat(129)));
  }
}
