package io.factorymeter.app.billing;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.factorymeter.contract.OutputKey;
import io.factorymeter.schema.BillingLine;
import java.io.IOException;
import java.io.Writer;
import java.math.BigDecimal;
import java.util.List;
import java.util.Locale;

/**
 * Invoice lines as CSV (a header, then one row per line; empty cells for null costs and carbon;
 * the carbon columns of SPEC §2a last, after those of earlier versions) or as JSON
 * Lines (one object per line, field names of the BillingLine schema, instants ISO-8601). Numbers
 * are written in plain decimal notation, as many digits as the value has.
 */
public enum InvoiceFormat {
  CSV, JSON;

  static final String[] COLUMNS = {"tenantId", "modelId", "periodStart", "periodEnd", "promptTokens", "completionTokens",
      "energyJ", "energyCost", "capacityCost", "totalCost", "currency", "costPerMillionTokens", "revision", "unpricedSamples",
      "operationalCarbonG", "embodiedCarbonG", "carbonG"};
  private static final ObjectMapper JSON_MAPPER = new ObjectMapper();

  /** Parses csv or json (any case); {@link IllegalArgumentException} otherwise. */
  public static InvoiceFormat parse(String name) {
    try {
      return valueOf(name.trim().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("--format must be csv or json, got '" + name + "'");
    }
  }

  public void write(List<BillingLine> lines, Writer out) throws IOException {
    if (this == CSV) {
      out.write(String.join(",", COLUMNS));
      out.write("\n");
      for (BillingLine l : lines) {
        Object[] v = values(l);
        StringBuilder row = new StringBuilder();
        for (int i = 0; i < v.length; i++) {
          if (i > 0) {
            row.append(',');
          }
          row.append(csvCell(v[i]));
        }
        out.write(row.append('\n').toString());
      }
    } else {
      for (BillingLine l : lines) {
        ObjectNode o = JSON_MAPPER.createObjectNode();
        Object[] v = values(l);
        for (int i = 0; i < COLUMNS.length; i++) {
          if (v[i] == null) {
            o.putNull(COLUMNS[i]);
          } else if (v[i] instanceof Double d) {
            o.put(COLUMNS[i], BigDecimal.valueOf(d));
          } else if (v[i] instanceof Long n) {
            o.put(COLUMNS[i], n);
          } else if (v[i] instanceof Integer n) {
            o.put(COLUMNS[i], n);
          } else {
            o.put(COLUMNS[i], v[i].toString());
          }
        }
        out.write(o.toString());
        out.write("\n");
      }
    }
    out.flush();
  }

  private static Object[] values(BillingLine l) {
    return new Object[] {l.getTenantId(), l.getModelId(), OutputKey.iso(l.getPeriodStart()), OutputKey.iso(l.getPeriodEnd()),
        l.getPromptTokens(), l.getCompletionTokens(), l.getEnergyJ(), l.getEnergyCost(), l.getCapacityCost(), l.getTotalCost(),
        l.getCurrency(), l.getCostPerMillionTokens(), l.getRevision(), l.getUnpricedSamples(), l.getOperationalCarbonG(),
        l.getEmbodiedCarbonG(), l.getCarbonG()};
  }

  private static String csvCell(Object v) {
    if (v == null) {
      return "";
    }
    String s = v instanceof Double d ? BigDecimal.valueOf(d).toPlainString() : v.toString();
    return s.contains(",") || s.contains("\"") ? "\"" + s.replace("\"", "\"\"") + "\"" : s;
  }
}
