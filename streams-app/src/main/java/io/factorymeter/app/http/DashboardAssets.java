package io.factorymeter.app.http;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.regex.Pattern;

/**
 * The web dashboard's files, served from the classpath: {@code /} is the dashboard's page,
 * {@code /dashboard/…} its scripts and styles (resource folder {@value #DASHBOARD}), and
 * {@code /webjars/uplot/…} the chart library uPlot from its WebJar
 * ({@code META-INF/resources/webjars/uplot/VERSION/…}, the version read from the WebJar's own
 * {@code pom.properties}, so the dependency's version is written in the pom alone). The page reads
 * its figures from the query API ({@code /v1/…}) in the browser; nothing is fetched from elsewhere.
 *
 * <p>A path is mapped only when each of its segments is a plain file or folder name
 * ({@code [A-Za-z0-9._-]}, not {@code .} or {@code ..}, no backslash, no encoded character) and has
 * a known extension: anything else, or a file that is not there, is {@link Optional#empty()}.
 */
public final class DashboardAssets {

  /** Resource folder of the dashboard's own files. */
  public static final String DASHBOARD = "io/factorymeter/app/http/dashboard/";

  /** The WebJar's pom.properties, where its version is read. */
  static final String UPLOT_POM_PROPERTIES = "META-INF/maven/org.webjars.npm/uplot/pom.properties";

  /** A plain file or folder name; it cannot start with a dot, so never {@code .} or {@code ..}. */
  private static final Pattern SEGMENT = Pattern.compile("[A-Za-z0-9_-][A-Za-z0-9._-]*");

  private static final Map<String, String> CONTENT_TYPES = Map.of(
      "html", "text/html; charset=utf-8",
      "js", "text/javascript; charset=utf-8",
      "css", "text/css; charset=utf-8",
      "svg", "image/svg+xml",
      "png", "image/png",
      "ico", "image/x-icon",
      "json", "application/json",
      "txt", "text/plain; charset=utf-8");

  /** A file to send: its classpath resource, content type and bytes. */
  public record Asset(String resource, String contentType, byte[] body) {
  }

  private final ClassLoader loader;
  private final String uplotRoot;

  /** The assets of this class's class loader. */
  public DashboardAssets() {
    this(DashboardAssets.class.getClassLoader());
  }

  DashboardAssets(ClassLoader loader) {
    this.loader = loader;
    String version = uplotVersion(loader);
    this.uplotRoot = version == null ? null : "META-INF/resources/webjars/uplot/" + version + "/";
  }

  /** The uPlot version of the WebJar on the classpath, from its pom.properties; null without it. */
  static String uplotVersion(ClassLoader loader) {
    try (InputStream in = loader.getResourceAsStream(UPLOT_POM_PROPERTIES)) {
      if (in == null) {
        return null;
      }
      Properties p = new Properties();
      p.load(in);
      String v = p.getProperty("version");
      return v != null && SEGMENT.matcher(v).matches() ? v : null;
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read " + UPLOT_POM_PROPERTIES, e);
    }
  }

  /**
   * The classpath resource and content type of a request path, without reading it; empty when the
   * path is not the dashboard's or not a plain path (see the class comment).
   */
  public Optional<String> resourceOf(String path) {
    if (path == null) {
      return Optional.empty();
    }
    if (path.equals("/") || path.equals("/index.html")) {
      return Optional.of(DASHBOARD + "index.html");
    }
    if (path.startsWith("/dashboard/")) {
      return plain(path.substring("/dashboard/".length())).map(rest -> DASHBOARD + rest);
    }
    if (path.startsWith("/webjars/uplot/") && uplotRoot != null) {
      return plain(path.substring("/webjars/uplot/".length())).map(rest -> uplotRoot + rest);
    }
    return Optional.empty();
  }

  /** The file for a request path, read from the classpath; empty when none (see the class comment). */
  public Optional<Asset> find(String path) {
    Optional<String> resource = resourceOf(path);
    if (resource.isEmpty()) {
      return Optional.empty();
    }
    String type = contentType(resource.get());
    try (InputStream in = loader.getResourceAsStream(resource.get())) {
      if (in == null) {
        return Optional.empty();
      }
      return Optional.of(new Asset(resource.get(), type, in.readAllBytes()));
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read " + resource.get(), e);
    }
  }

  /** The content type of a file name by its extension (every mapped file has a known one). */
  static String contentType(String name) {
    int dot = name.lastIndexOf('.');
    return CONTENT_TYPES.get(name.substring(dot + 1).toLowerCase(java.util.Locale.ROOT));
  }

  /** {@code rest} when it is segments of plain names ending in a file of a known type. */
  private static Optional<String> plain(String rest) {
    if (rest.isEmpty() || rest.endsWith("/")) {
      return Optional.empty();
    }
    for (String segment : rest.split("/", -1)) {
      if (!SEGMENT.matcher(segment).matches()) {
        return Optional.empty();
      }
    }
    int dot = rest.lastIndexOf('.');
    if (dot < 0 || rest.lastIndexOf('/') > dot || contentType(rest) == null) {
      return Optional.empty();
    }
    return Optional.of(rest);
  }
}
