package io.factorymeter.app.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * Screenshots of a running dashboard (the README's), made with {@link HeadlessChromium}: start
 * {@code ./factory-meter demo}, then
 * <pre>
 * ./mvnw -o -B -ntp -pl streams-app test -Dtest=DashboardScreenshots -Dsurefire.failIfNoSpecifiedTests=false \
 *     -Dfactory.meter.dashboard.url=http://127.0.0.1:8080/ -Dfactory.meter.screenshots=$PWD/docs
 * </pre>
 * It writes {@code dashboard.png} (the whole page) and {@code dashboard-top.png} (the first screen).
 * Not part of the suite (its name is not a test's); skipped without both properties.
 */
class DashboardScreenshots {

  private static final Duration PAGE_TIME = Duration.ofSeconds(10);

  @Test
  void screenshotsOfARunningDashboard() {
    String url = System.getProperty("factory.meter.dashboard.url");
    String dir = System.getProperty("factory.meter.screenshots");
    assumeTrue(url != null && dir != null, "set factory.meter.dashboard.url and factory.meter.screenshots");
    HeadlessChromium chromium = HeadlessChromium.find().orElse(null);
    assumeTrue(chromium != null, "no chromium on the PATH (Debian package chromium)");

    String dom = chromium.dumpDom(url, PAGE_TIME);
    assertTrue(dom.contains("data-state=\"ok\""), "the dashboard at " + url + " shows figures: " + dom);
    assertEquals(-1, dom.indexOf("data-chart=\"tokensPerSecond\" data-points=\"0\""), "the charts have points");
    chromium.screenshot(url, Path.of(dir, "dashboard.png"), 1400, 2850, PAGE_TIME);
    chromium.screenshot(url, Path.of(dir, "dashboard-top.png"), 1400, 960, PAGE_TIME);
  }
}
