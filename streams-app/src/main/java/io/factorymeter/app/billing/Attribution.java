package io.factorymeter.app.billing;

import io.factorymeter.app.metering.PricedSample;
import io.factorymeter.app.metering.ReferenceQuantities;
import io.factorymeter.contract.NodeSampleRules;
import io.factorymeter.schema.UsageEntry;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * SPEC §3: a sample's energy and costs split among its usage entries in proportion to their
 * tokens, weighted {@code promptTokens × promptWeight + completionTokens}; a sample without tokens
 * goes to tenant {@code _idle}, model {@code _idle}.
 *
 * <p>What is split is the sample's quantities (energy in µJ, GPU time in GPU-ns, in its reference
 * interval: {@link ReferenceQuantities}), divided by the largest-remainder method, so the parts add
 * up to the whole exactly: billing lines add up to the fleet's energy exactly, and to its costs and
 * carbon to within the rounding of each line (10⁻¹² units, 1 ng). Entries of one sample with the
 * same tenant and model are merged.
 */
public final class Attribution {

  public static final String IDLE = NodeSampleRules.IDLE;

  /** One tenant and model's share of a sample. */
  public record Share(String tenantId, String modelId, BillingAmounts amounts) {
  }

  private Attribution() {
  }

  /** A tenant and model of a sample's usage. */
  private record Key(String tenantId, String modelId) {
  }

  public static List<Share> of(PricedSample priced, double promptWeight) {
    Map<Key, long[]> tokens = new LinkedHashMap<>();   // -> {prompt, completion}, in the order of the usage entries
    for (UsageEntry u : priced.sample().getUsage()) {
      long[] t = tokens.computeIfAbsent(new Key(u.getTenantId(), u.getModelId()), k -> new long[2]);
      t[0] = Math.addExact(t[0], u.getPromptTokens());
      t[1] = Math.addExact(t[1], u.getCompletionTokens());
    }
    List<Key> keys = new ArrayList<>(tokens.keySet());
    double[] weights = weights(keys, tokens, promptWeight);
    if (allZero(weights)) {
      // e.g. only prompt tokens with promptWeight 0: split by plain token counts instead
      weights = weights(keys, tokens, 1.0);
    }
    ReferenceQuantities quantities = priced.quantities();
    if (allZero(weights)) {
      // no tokens at all (token counts are never negative): the node was idle
      return List.of(new Share(IDLE, IDLE, new BillingAmounts(0, 0, quantities)));
    }
    ReferenceQuantities[] parts = quantities.split(weights);
    List<Share> shares = new ArrayList<>(keys.size());
    for (int i = 0; i < keys.size(); i++) {
      long[] t = tokens.get(keys.get(i));
      shares.add(new Share(keys.get(i).tenantId(), keys.get(i).modelId(), new BillingAmounts(t[0], t[1], parts[i])));
    }
    return shares;
  }

  /** Whether every weight is 0 (weights are never negative, so: whether they sum to 0). */
  private static boolean allZero(double[] weights) {
    for (double w : weights) {
      if (w != 0) {
        return false;
      }
    }
    return true;
  }

  /** Each key's weight: prompt tokens × promptWeight + completion tokens. */
  private static double[] weights(List<Key> keys, Map<Key, long[]> tokens, double promptWeight) {
    double[] weights = new double[keys.size()];
    for (int i = 0; i < weights.length; i++) {
      long[] t = tokens.get(keys.get(i));
      weights[i] = t[0] * promptWeight + t[1];
    }
    return weights;
  }
}
