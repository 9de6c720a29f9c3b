package io.factorymeter.app;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.utils.Utils;
import org.apache.kafka.tools.StreamsResetter;

/**
 * Resets the application for reprocessing from the earliest offsets, with Kafka's own
 * {@link StreamsResetter}: committed offsets of the input topic back to earliest, internal topics
 * (changelogs, repartition topics) deleted; then the instance's local state directory removed.
 * The application must be stopped. Output topics are left as they are: reprocessing writes the
 * same keys again, and compaction keeps the new records.
 */
public final class ApplicationReset {

  private ApplicationReset() {
  }

  /**
   * @param dryRun only print what would be done
   * @param force remove members still registered in the consumer group (e.g. of a killed instance)
   * @return what was done, for the user
   */
  public static String reset(Map<String, Object> clientProps, String applicationId, String inputTopic, Path stateDir,
      boolean dryRun, boolean force) {
    List<String> args = new ArrayList<>(List.of(
        "--bootstrap-server", String.valueOf(clientProps.get(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG)),
        "--application-id", applicationId,
        "--input-topics", inputTopic,
        "--to-earliest"));
    if (dryRun) {
      args.add("--dry-run");
    }
    if (force) {
      args.add("--force");
    }
    Properties config = new Properties();
    config.putAll(MeteringApplication.adminProps(clientProps));
    config.remove(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG); // given as --bootstrap-server
    int rc = new StreamsResetter().execute(args.toArray(String[]::new), config);
    if (rc != 0) {
      throw new IllegalStateException("Resetting application " + applicationId + " failed (see the lines above);"
          + " is an instance still running? Stop it, or add --force for members of a killed instance");
    }
    Path local = stateDir.resolve(applicationId);
    if (!dryRun) {
      deleteRecursively(local);
    }
    return (dryRun ? "Would reset" : "Reset") + " application " + applicationId + ": offsets of " + inputTopic
        + " to earliest, internal topics deleted, local state " + local + " removed";
  }

  private static void deleteRecursively(Path dir) {
    try {
      Utils.delete(dir.toFile());
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot remove local state " + dir + ": " + e.getMessage(), e);
    }
  }
}
