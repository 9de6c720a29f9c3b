package io.factorymeter.app.http;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** Request paths to classpath resources, without a server: the dashboard's files, uPlot's, and nothing else. */
class DashboardAssetsTest {

  private final DashboardAssets assets = new DashboardAssets();

  /** The uPlot version as the name of the jar that holds the WebJar's pom.properties says it. */
  private static String uplotVersionFromJarName() {
    URL url = DashboardAssets.class.getClassLoader().getResource(DashboardAssets.UPLOT_POM_PROPERTIES);
    assertNotNull(url, "the uPlot WebJar on the classpath");
    Matcher m = Pattern.compile("/uplot-([0-9][^/]*)\\.jar!").matcher(url.toString());
    assertTrue(m.find(), url.toString());
    return m.group(1);
  }

  private static byte[] resource(String name) throws Exception {
    try (InputStream in = DashboardAssets.class.getClassLoader().getResourceAsStream(name)) {
      assertNotNull(in, name);
      return in.readAllBytes();
    }
  }

  @Test
  void theRootIsTheDashboardPage() throws Exception {
    DashboardAssets.Asset page = assets.find("/").orElseThrow();
    assertEquals("io/factorymeter/app/http/dashboard/index.html", page.resource());
    assertEquals("text/html; charset=utf-8", page.contentType());
    assertArrayEquals(resource("io/factorymeter/app/http/dashboard/index.html"), page.body());
    assertEquals(page.resource(), assets.find("/index.html").orElseThrow().resource());
  }

  @Test
  void dashboardFilesWithTheirContentTypes() throws Exception {
    DashboardAssets.Asset js = assets.find("/dashboard/dashboard.js").orElseThrow();
    assertEquals("text/javascript; charset=utf-8", js.contentType());
    assertArrayEquals(resource(DashboardAssets.DASHBOARD + "dashboard.js"), js.body());
    assertEquals("text/css; charset=utf-8", assets.find("/dashboard/dashboard.css").orElseThrow().contentType());
  }

  @Test
  void uplotComesFromItsWebJarWhoseVersionIsReadFromTheJar() throws Exception {
    String version = uplotVersionFromJarName();
    assertEquals(version, DashboardAssets.uplotVersion(DashboardAssets.class.getClassLoader()));
    String root = "META-INF/resources/webjars/uplot/" + version + "/";
    DashboardAssets.Asset js = assets.find("/webjars/uplot/dist/uPlot.iife.min.js").orElseThrow();
    assertEquals(root + "dist/uPlot.iife.min.js", js.resource());
    assertEquals("text/javascript; charset=utf-8", js.contentType());
    assertArrayEquals(resource(root + "dist/uPlot.iife.min.js"), js.body());
    DashboardAssets.Asset css = assets.find("/webjars/uplot/dist/uPlot.min.css").orElseThrow();
    assertEquals("text/css; charset=utf-8", css.contentType());
    assertEquals("application/json", assets.find("/webjars/uplot/package.json").orElseThrow().contentType());
  }

  @Test
  void everyFileThePageLoadsIsServedFromTheJarAndNothingFromElsewhere() throws Exception {
    String html = new String(assets.find("/").orElseThrow().body(), StandardCharsets.UTF_8);
    Matcher m = Pattern.compile("(?:src|href)=\"([^\"]*)\"").matcher(html);
    List<String> refs = new ArrayList<>();
    while (m.find()) {
      refs.add(m.group(1));
    }
    assertEquals(4, refs.size(), refs.toString());
    for (String ref : refs) {
      assertTrue(ref.startsWith("/") && !ref.startsWith("//"), "a path on this server: " + ref);
      assertTrue(assets.find(ref).isPresent(), "served: " + ref);
    }
    String js = new String(assets.find("/dashboard/dashboard.js").orElseThrow().body(), StandardCharsets.UTF_8);
    assertFalse(js.contains("http://") || js.contains("https://") || js.contains("//cdn"), "no absolute URL in the script");
  }

  @Test
  void traversalAndOddPathsAreNotServed() {
    List<String> refused = List.of(
        "/dashboard/../DashboardAssets.class",
        "/dashboard/../openapi.json",
        "/dashboard/..",
        "/dashboard/./dashboard.js",
        "/dashboard//dashboard.js",
        "/dashboard/.hidden.js",
        "/dashboard/a/../../openapi.json",
        "/dashboard/..\\openapi.json",
        "/dashboard/dashboard.js/",
        "/dashboard/",
        "/dashboard",
        "/dashboard/%2e%2e/openapi.json",
        "/dashboard/dash board.js",
        "/webjars/uplot/../../maven/org.webjars.npm/uplot/pom.properties",
        "/webjars/uplot/dist/uPlot.d.ts",
        "/webjars/uplot/LICENSE",
        "/webjars/uplot/",
        "/webjars/other/dist/x.js",
        "/io/factorymeter/app/http/dashboard/index.html",
        "/openapi.json",
        "/v1/nodes",
        "//",
        "",
        "index.html");
    for (String path : refused) {
      assertEquals(Optional.empty(), assets.resourceOf(path), path);
      assertEquals(Optional.empty(), assets.find(path), path);
    }
    assertEquals(Optional.empty(), assets.find(null));
  }

  @Test
  void aMappedFileThatIsNotThereIsEmpty() {
    assertTrue(assets.resourceOf("/dashboard/missing.js").isPresent());
    assertEquals(Optional.empty(), assets.find("/dashboard/missing.js"));
    assertEquals(Optional.empty(), assets.find("/webjars/uplot/dist/missing.js"));
  }

  @Test
  void withoutTheWebJarNoUplotPathIsMapped() {
    DashboardAssets bare = new DashboardAssets(new ClassLoader(null) { });
    assertEquals(Optional.empty(), bare.resourceOf("/webjars/uplot/dist/uPlot.iife.min.js"));
    assertEquals(Optional.of(DashboardAssets.DASHBOARD + "index.html"), bare.resourceOf("/"));
    assertEquals(Optional.empty(), bare.find("/"), "nothing on that class loader");
  }
}
