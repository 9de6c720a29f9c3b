package io.factorymeter.producers.simulate;

/** Names the simulated and trace fleets give their sites and tenants; all are valid SPEC §1 identifiers. */
public final class FleetNames {

  private FleetNames() {
  }

  /** Site {@code index} (from 0): site-a … site-z, then site-aa, site-ab, … (letters as in spreadsheet columns). */
  public static String site(int index) {
    StringBuilder letters = new StringBuilder();
    for (int n = index + 1; n > 0; n = (n - 1) / 26) {
      letters.insert(0, (char) ('a' + (n - 1) % 26));
    }
    return "site-" + letters;
  }

  /** Tenant {@code number} (from 1): tenant-01, tenant-02, … */
  public static String tenant(int number) {
    return String.format("tenant-%02d", number);
  }
}
