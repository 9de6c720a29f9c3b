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

  /**
   * The tenant and model of energy and cost that served no tokens (SPEC §3). Reserved: a sample's
   * usage may not name it as tenantId or modelId, so real usage never mixes into the idle bucket.
   */
  public static final String IDLE = "_idle";

  /** Most GPUs in one node (an NVL576 rack is 576). */
  public static final int MAX_GPU_COUNT = 1_024;

  /**
   * Most usage entries (tenant, model pairs) in one sample. Each becomes a billing contribution;
   * a node serving more distinct pairs in one interval should report shorter intervals.
   */
  public static final int MAX_USAGE_ENTRIES = 4_096;

  /**
   * Most tokens (prompt + completion, over all usage entries) in one sample: 10^12. More than any
   * real node reaches: 1,024 GPUs for an hour at 100,000 tokens/s each is 3.7 × 10^11. With it, a
   * sum over 9 million samples at the bound still fits a signed 64-bit long.
   */
  public static final long MAX_TOKENS_PER_SAMPLE = 1_000_000_000_000L;

  private NodeSampleRules() {
  }

  /**
   * Whether {@code id} matches {@link #ID}: 1..128 characters, each an ASCII letter, a digit or
   * one of {@code . _ : / @ -}. The same test as the pattern, by hand (it runs several times for
   * every sample the pipeline takes in).
   */
  public static boolean isId(String id) {
    if (id == null || id.isEmpty() || id.length() > 128) {
      return false;
    }
    for (int i = 0; i < id.length(); i++) {
      char c = id.charAt(i);
      boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
          || c == '.' || c == '_' || c == ':' || c == '/' || c == '@' || c == '-';
      if (!ok) {
        return false;
      }
    }
    return true;
  }

  /** gpuModel is free text: 1..128 characters, none of them a control character. */
  public static boolean isGpuModel(String gpuModel) {
    if (gpuModel.isEmpty() || gpuModel.length() > 128) {
      return false;
    }
    for (int i = 0; i < gpuModel.length(); i++) {
      char c = gpuModel.charAt(i);
      if (c < 0x20 || c == 0x7f) {
        return false;
      }
    }
    return true;
  }
}
