package io.factorymeter.cli;

import io.factorymeter.app.billing.BillingLedger;
import io.factorymeter.app.billing.InvoiceFormat;
import io.factorymeter.schema.BillingLine;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Billing lines for billing systems and people. */
@Command(name = "billing", mixinStandardHelpOptions = true, subcommands = BillingCommand.Export.class,
    description = "Billing: export settled invoice lines.")
final class BillingCommand implements Runnable {

  @picocli.CommandLine.Spec
  picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw new picocli.CommandLine.ParameterException(spec.commandLine(), "Missing subcommand: export");
  }

  /** Writes the latest revision of every billing line in a time range, sorted by tenant, model, period. */
  @Command(name = "export", mixinStandardHelpOptions = true,
      description = {"Export invoice lines: the latest revision of each tenant x model x hour whose period starts in [--from, --to).",
          "The compacted billing topic is read with read_committed up to its end; lines are sorted by tenant, model, period."})
  static final class Export implements Callable<Integer> {

    @Mixin
    ConnectionOptions connection;

    @Mixin

    PeriodRange range;

    @Option(names = "--format", defaultValue = "csv", description = "csv or json (JSON Lines) (default: ${DEFAULT-VALUE}).")
    String format;

    @Option(names = "--tenant", description = "Only this tenant's lines.")
    String tenant;

    @Option(names = "--output", paramLabel = "FILE", description = "Write to FILE instead of stdout.")
    Path output;

    @Option(names = "--topic", defaultValue = "factory.billing.hourly", description = "(default: ${DEFAULT-VALUE})")
    String topic;

    @Override
    public Integer call() throws IOException {
      InvoiceFormat invoiceFormat;
      try {
        invoiceFormat = InvoiceFormat.parse(format);
      } catch (IllegalArgumentException e) {
        throw new UserError(e.getMessage(), 2);
      }
      range.checked();
      Map<String, Object> props = connection.reachableProperties();
      List<BillingLine> lines;
      try {
        lines = BillingLedger.read(props, topic, range.from, range.to, tenant);
      } catch (IllegalArgumentException e) {
        throw new UserError(e.getMessage());
      }
      if (output == null) {
        invoiceFormat.write(lines, new OutputStreamWriter(System.out, StandardCharsets.UTF_8));
      } else {
        try (Writer out = Files.newBufferedWriter(output, StandardCharsets.UTF_8)) {
          invoiceFormat.write(lines, out);
        } catch (IOException e) {
          throw new UserError("Cannot write " + output + ": " + e.getMessage());
        }
        System.err.println("Wrote " + lines.size() + " line(s) to " + output);
      }
      return 0;
    }
  }
}
