package io.factorymeter.contract;

import java.util.regex.Pattern;

/**
 * The rules of SPEC §1 on a NodeSample's names and interval that producers check when they make
 * samples and the pipeline checks when it takes them in (dead-lettering what breaks them).
 */
public final class NodeSampleRules {

  /** nodeId, clusterId, site, tenantId and modelId. */
  public static final Pattern ID = Pattern.compile("[A-Za-z0-9._:/@-]{1,128}");

  /** The longest interval a sample may cover: 1 h, in milliseconds. */
  public static final long MAX_INTERVAL_MS = 3_600_000L;

  private NodeSampleRules() {
  }

  /** gpuModel is free text: 1..128 characters, none of them a control character. */
  public static boolean isGpuModel(String gpuModel) {
    return !gpuModel.isEmpty() && gpuModel.length() <= 128 && gpuModel.chars().noneMatch(c -> c < 0x20 || c == 0x7f);
  }
}
