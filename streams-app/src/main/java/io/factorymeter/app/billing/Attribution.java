package io.factorymeter.app.billing;

import io.factorymeter.app.metering.FixedPoint;
import io.factorymeter.app.metering.PricedSample;
import io.factorymeter.contract.Apportionment;
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
 * <p>The amounts are the sample's fixed-point amounts (the same the metrics sum) divided by the
 * largest-remainder method, so the parts add up to the whole exactly and billing lines add up to
 * the fleet's figures exactly. Entries of one sample with the same tenant and model are merged.
 */
public final class Attribution {

  public static final String IDLE = "_idle";

  /** One tenant and model's share of a sample. */
  public record Share(String tenantId, String modelId, BillingAmounts amounts) {
  }

  private Attribution() {
  }

  public static List<Share> of(PricedSample priced, double promptWeight) {
    Map<String, long[]> tokens = new LinkedHashMap<>();   // tenant|model -> {prompt, completion}
    Map<String, String[]> ids = new LinkedHashMap<>();
    for (UsageEntry u : priced.sample().getUsage()) {
      String key = u.getTenantId() + "|" + u.getModelId();
      long[] t = tokens.computeIfAbsent(key, k -> new long[2]);
      t[0] = Math.addExact(t[0], u.getPromptTokens());
      t[1] = Math.addExact(t[1], u.getCompletionTokens());
      ids.putIfAbsent(key, new String[] {u.getTenantId(), u.getModelId()});
    }
    List<String> keys = new ArrayList<>(tokens.keySet());
    double[] weights = new double[keys.size()];
    double total = 0;
    for (int i = 0; i < weights.length; i++) {
      long[] t = tokens.get(keys.get(i));
      weights[i] = t[0] * promptWeight + t[1];
      total += weights[i];
    }
    if (total == 0) {
      // e.g. only prompt tokens with promptWeight 0: split by plain token counts instead
      for (int i = 0; i < weights.length; i++) {
        long[] t = tokens.get(keys.get(i));
        weights[i] = t[0] + t[1];
        total += weights[i];
      }
    }
    long energy = FixedPoint.microjoules(priced.energyJoules());
    Double energyCost = priced.energyCost();
    Double capacityCost = priced.capacityCost();
    long energyCostPicos = energyCost == null ? 0 : FixedPoint.picos(energyCost);
    long capacityCostPicos = capacityCost == null ? 0 : FixedPoint.picos(capacityCost);
    long withoutTariff = energyCost == null ? 1 : 0;
    long withoutGpuRate = capacityCost == null ? 1 : 0;
    long unpriced = priced.unpriced() ? 1 : 0;

    if (total == 0) {
      long prompt = 0;
      long completion = 0;
      for (long[] t : tokens.values()) {
        prompt += t[0];
        completion += t[1];
      }
      return List.of(new Share(IDLE, IDLE, new BillingAmounts(prompt, completion, energy, energyCostPicos, capacityCostPicos,
          withoutTariff, withoutGpuRate, unpriced)));
    }
    long[] energyParts = Apportionment.split(energy, weights);
    long[] energyCostParts = Apportionment.split(energyCostPicos, weights);
    long[] capacityCostParts = Apportionment.split(capacityCostPicos, weights);
    List<Share> shares = new ArrayList<>(keys.size());
    for (int i = 0; i < keys.size(); i++) {
      long[] t = tokens.get(keys.get(i));
      String[] id = ids.get(keys.get(i));
      shares.add(new Share(id[0], id[1], new BillingAmounts(t[0], t[1], energyParts[i], energyCostParts[i],
          capacityCostParts[i], withoutTariff, withoutGpuRate, unpriced)));
    }
    return shares;
  }

}
