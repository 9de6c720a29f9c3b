package io.factorymeter.cli;

import io.factorymeter.app.ledger.LedgerHours;
import io.factorymeter.app.serde.RecordJson;
import io.factorymeter.schema.LedgerHour;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code factory-meter ledger}: the intake ledger (issue 11) of a time range, and whether every hour
 * balances: records in = metered + duplicates + dead letters + too late.
 */
@Command(name = "ledger", mixinStandardHelpOptions = true,
    description = {"Print the intake ledger: per input partition and hour, the records read and what became of each.",
        "Reads the compacted ledger topic (read_committed, latest revision per partition x hour) for hours starting in [--from, --to).",
        "Exits 1 when an hour does not balance (in = metered + duplicates + dead letters + too late)."})
final class LedgerCommand implements Callable<Integer> {

  @Mixin
  ConnectionOptions connection;

  @Mixin

  PeriodRange range;

  @Option(names = "--format", defaultValue = "table", description = "table or json (JSON Lines, one hour per line) (default: ${DEFAULT-VALUE}).")
  String format;

  @Option(names = "--topic", defaultValue = "factory.ledger.hourly", description = "(default: ${DEFAULT-VALUE})")
  String topic;

  @Override
  public Integer call() {
    if (!format.equals("table") && !format.equals("json")) {
      throw new UserError("--format must be table or json, got '" + format + "'", 2);
    }
    range.checked();
    Map<String, Object> props = connection.reachableProperties();
    List<LedgerHour> hours;
    try {
      hours = LedgerHours.read(props, topic, range.from, range.to);
    } catch (IllegalArgumentException e) {
      throw new UserError(e.getMessage());
    }
    PrintStream out = System.out;
    if (format.equals("json")) {
      hours.forEach(h -> out.println(RecordJson.toJson(h, h.getSchema())));
    } else {
      print(hours, out);
    }
    out.flush();
    List<String> unbalanced = new ArrayList<>();
    for (LedgerHour h : hours) {
      Optional<String> why = LedgerHours.imbalance(h);
      why.ifPresent(w -> unbalanced.add("partition " + h.getPartition() + " hour " + h.getPeriodStart() + ": " + w));
    }
    if (hours.isEmpty()) {
      System.err.println("No closed ledger hour starts in [" + range.from + ", " + range.to + ") on " + topic);
    } else if (unbalanced.isEmpty()) {
      System.err.println("All " + hours.size() + " partition-hours balance");
    }
    if (!unbalanced.isEmpty()) {
      throw new UserError(unbalanced.size() + " of " + hours.size() + " partition-hours do not balance; first: " + unbalanced.get(0));
    }
    return 0;
  }

  private static void print(List<LedgerHour> hours, PrintStream out) {
    String format = "%-20s %4s %3s %11s %11s %9s %10s %10s %8s %10s  %s%n";
    out.printf(format, "hour (UTC)", "part", "rev", "in", "metered", "late-mtr", "duplicate", "dead-lttr", "too-late",
        "heartbeat", "dead letters by reason");
    long[] total = new long[7];
    for (LedgerHour h : hours) {
      out.printf(format, h.getPeriodStart(), h.getPartition(), h.getRevision(), n(h.getRecordsIn()), n(h.getMetered()),
          n(h.getLateForMetrics()), n(h.getDuplicates()), n(h.getDeadLetters()), n(h.getTooLate()), n(h.getHeartbeats()),
          reasons(h) + (LedgerHours.imbalance(h).isPresent() ? "  UNBALANCED" : ""));
      long[] row = {h.getRecordsIn(), h.getMetered(), h.getLateForMetrics(), h.getDuplicates(), h.getDeadLetters(), h.getTooLate(),
          h.getHeartbeats()};
      for (int i = 0; i < total.length; i++) {
        total[i] += row[i];
      }
    }
    out.printf(format, "total", "", "", n(total[0]), n(total[1]), n(total[2]), n(total[3]), n(total[4]), n(total[5]), n(total[6]), "");
  }

  private static String reasons(LedgerHour h) {
    StringBuilder b = new StringBuilder();
    new java.util.TreeMap<>(h.getDeadLettersByReason()).forEach((r, c) -> b.append(b.isEmpty() ? "" : " ").append(r).append('=').append(c));
    return b.toString();
  }

  private static String n(long v) {
    return String.format("%,d", v);
  }
}
