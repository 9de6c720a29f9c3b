package io.factorymeter.cli;

import io.factorymeter.contract.FactoryTopic;
import io.factorymeter.contract.TopicProvisioner;
import io.factorymeter.producers.kafka.AvroRecordSender;
import io.factorymeter.producers.prices.PriceJson;
import io.factorymeter.producers.prices.PriceLoader;
import io.factorymeter.schema.GpuRate;
import io.factorymeter.schema.Tariff;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** Price reference data: electricity tariffs per site and GPU capacity rates per GPU model. */
@Command(name = "prices", mixinStandardHelpOptions = true, subcommands = PricesCommand.Load.class,
    description = "Manage prices: electricity tariffs per site and GPU rates per GPU model.")
final class PricesCommand implements Runnable {

  @picocli.CommandLine.Spec
  picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw new picocli.CommandLine.ParameterException(spec.commandLine(), "Missing subcommand: load");
  }

  /** Publishes a JSON Lines price file, each record stamped with its effectiveFrom. */
  @Command(name = "load", mixinStandardHelpOptions = true,
      description = {"Publish tariffs and GPU rates from a JSON Lines file, each record stamped with its effectiveFrom.",
          "One object per line:",
          "  {\"type\":\"tariff\",\"site\":…,\"currency\":…,\"pricePerKwh\":…,\"pue\":…,\"effectiveFrom\":ISO}",
          "  {\"type\":\"gpu-rate\",\"gpuModel\":…,\"currency\":…,\"hourlyRate\":…,\"effectiveFrom\":ISO}",
          "Either may add \"publishedAt\":ISO, when it was published (absent or null:",
          "--published-at, if given).",
          "The file is checked completely before anything is sent."})
  static final class Load implements Callable<Integer> {

    @Mixin
    ConnectionOptions connection;

    @Parameters(index = "0", paramLabel = "FILE", description = "JSON Lines price file.")
    Path file;

    @Mixin
    PublishedAtOption publishedAt;

    @Option(names = "--tariffs-topic", defaultValue = "factory.tariffs", description = "(default: ${DEFAULT-VALUE})")
    String tariffsTopic;

    @Option(names = "--gpu-rates-topic", defaultValue = "factory.gpu-rates", description = "(default: ${DEFAULT-VALUE})")
    String gpuRatesTopic;

    @Override
    public Integer call() {
      List<PriceJson.Price> prices = read();
      Map<String, Object> props = connection.reachableProperties();
      PriceLoader.Result result = publish(props, prices, tariffsTopic, gpuRatesTopic);
      System.out.printf("Published %d tariff(s) to %s and %d GPU rate(s) to %s%n", result.tariffs(), tariffsTopic,
          result.gpuRates(), gpuRatesTopic);
      return 0;
    }

    /**
     * The whole file read and checked, --published-at given to every price without a publishedAt of
     * its own; nothing is connected to. {@link UserError} names the first bad line.
     */
    List<PriceJson.Price> read() {
      ReadableFile.require(file);
      try {
        return PriceLoader.read(file, publishedAt.instant());
      } catch (IllegalArgumentException e) {
        throw new UserError(e.getMessage());
      } catch (IOException e) {
        throw new UserError("Cannot read " + file + ": " + e.getMessage());
      }
    }
  }

  static PriceLoader.Result publish(Map<String, Object> props, List<PriceJson.Price> prices, String tariffsTopic,
      String gpuRatesTopic) {
    TopicSetup.ensure(props, List.of(new TopicProvisioner.Topic(tariffsTopic, FactoryTopic.TARIFFS),
        new TopicProvisioner.Topic(gpuRatesTopic, FactoryTopic.GPU_RATES)));
    try (AvroRecordSender<Tariff> tariffs = new AvroRecordSender<>(props, tariffsTopic);
         AvroRecordSender<GpuRate> rates = new AvroRecordSender<>(props, gpuRatesTopic)) {
      return new PriceLoader(tariffs, rates).publish(prices);
    }
  }
}
