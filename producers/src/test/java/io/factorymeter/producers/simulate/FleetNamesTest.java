package io.factorymeter.producers.simulate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Set;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class FleetNamesTest {

  /** SPEC §1 identifiers. */
  private static final Pattern ID = Pattern.compile("[A-Za-z0-9._:/@-]{1,128}");

  @Test
  void sitesCountLikeSpreadsheetColumnsPastTheTwentySixthLetter() {
    assertEquals("site-a", FleetNames.site(0));
    assertEquals("site-z", FleetNames.site(25));
    assertEquals("site-aa", FleetNames.site(26));
    assertEquals("site-ab", FleetNames.site(27));
    assertEquals("site-zz", FleetNames.site(26 + 26 * 26 - 1));
    assertEquals("site-aaa", FleetNames.site(26 + 26 * 26));
  }

  @Test
  void everySiteOfALargeFleetIsADistinctValidIdentifier() {
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < 1000; i++) {
      String site = FleetNames.site(i);
      assertTrue(ID.matcher(site).matches(), site);
      assertTrue(seen.add(site), site);
    }
  }

  @Test
  void tenantsAreNumberedFromOneWithTwoDigits() {
    assertEquals("tenant-01", FleetNames.tenant(1));
    assertEquals("tenant-30", FleetNames.tenant(30));
    assertEquals("tenant-100", FleetNames.tenant(100));
  }
}
