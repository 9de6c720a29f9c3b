package io.factorymeter.producers.simulate;

/**
 * How one model serves on one GPU type at full load, from one ML.ENERGY Leaderboard v3 row
 * (lm-arena-chat, max_num_seqs 256): the model runs on {@code gpusPerReplica} GPUs that together
 * generate {@code outputTokensPerSecond} and draw {@code powerWatts}.
 *
 * @param modelId Hugging Face id of the model, e.g. meta-llama/Llama-3.1-8B-Instruct
 * @param gpuType H100 or B200 as in the leaderboard, or a {@link GpuType} derived from one
 * @param gpusPerReplica GPUs one replica of the model occupies
 * @param outputTokensPerSecond generated tokens per second of one replica at full load, tokens/s
 * @param powerWatts mean GPU power of one replica at full load (all its GPUs), W
 * @param joulesPerOutputToken GPU energy per generated token, J (= powerWatts / outputTokensPerSecond)
 * @param medianInterTokenLatencyMs median time between two generated tokens of one request, ms
 */
public record ModelProfile(String modelId, String gpuType, int gpusPerReplica, double outputTokensPerSecond,
    double powerWatts, double joulesPerOutputToken, double medianInterTokenLatencyMs) {

  /** Generated tokens per second of one GPU at full load. */
  public double outputTokensPerSecondPerGpu() {
    return outputTokensPerSecond / gpusPerReplica;
  }

  /** Power of one GPU at full load, W. */
  public double powerWattsPerGpu() {
    return powerWatts / gpusPerReplica;
  }

  /** The GPU type of the row. */
  public GpuType gpu() {
    return GpuType.valueOf(gpuType);
  }

  /** The short model id used on the wire: the part after the last '/', lower case. */
  public String shortModelId() {
    return modelId.substring(modelId.lastIndexOf('/') + 1).toLowerCase(java.util.Locale.ROOT);
  }
}
