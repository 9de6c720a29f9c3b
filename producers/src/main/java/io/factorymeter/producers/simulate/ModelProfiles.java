package io.factorymeter.producers.simulate;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The ML.ENERGY rows the simulator is calibrated with: {@code mlenergy-profiles.csv} next to this
 * class, cut from ../shared/data/mlenergy-leaderboard-v3 (attribution in the file).
 */
public final class ModelProfiles {

  private static final String RESOURCE = "mlenergy-profiles.csv";

  private ModelProfiles() {
  }

  private static List<ModelProfile> bundled;

  /** Every profile of the bundled file, in file order. */
  public static synchronized List<ModelProfile> bundled() {
    if (bundled == null) {
      bundled = List.copyOf(load());
    }
    return bundled;
  }

  /** Profiles of a GPU type: the measured rows of its leaderboard GPU, scaled as {@link GpuType} says. */
  public static List<ModelProfile> forGpu(GpuType gpu) {
    return bundled().stream().filter(p -> p.gpuType().equals(gpu.leaderboardName())).map(gpu::scale).toList();
  }

  private static List<ModelProfile> load() {
    try (InputStream in = ModelProfiles.class.getResourceAsStream(RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException("resource " + RESOURCE + " missing from the jar");
      }
      return parse(new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8)));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The profile of a short model id on a GPU type (H100, H200, B200, GB200), e.g. llama-3.1-8b-instruct on H100. */
  public static java.util.Optional<ModelProfile> find(String shortModelId, String gpuType) {
    GpuType gpu;
    try {
      gpu = GpuType.valueOf(gpuType);
    } catch (IllegalArgumentException e) {
      return java.util.Optional.empty();
    }
    return forGpu(gpu).stream().filter(p -> p.shortModelId().equals(shortModelId)).findFirst();
  }

  static List<ModelProfile> parse(BufferedReader in) throws IOException {
    List<ModelProfile> profiles = new ArrayList<>();
    String header = null;
    String line;
    while ((line = in.readLine()) != null) {
      if (line.startsWith("#") || line.isBlank()) {
        continue;
      }
      if (header == null) {
        header = line;
        continue;
      }
      // model_id,nickname,gpu_model,num_gpus,max_num_seqs,output_throughput_tokens_per_sec,avg_power_watts,
      // energy_per_token_joules,median_itl_ms
      String[] f = line.split(",");
      profiles.add(new ModelProfile(f[0], f[2], Integer.parseInt(f[3]), Double.parseDouble(f[5]),
          Double.parseDouble(f[6]), Double.parseDouble(f[7]), Double.parseDouble(f[8])));
    }
    return profiles;
  }
}
