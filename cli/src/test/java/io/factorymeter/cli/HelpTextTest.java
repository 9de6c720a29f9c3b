package io.factorymeter.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** What --help and -V print, for every command. */
class HelpTextTest {

  record Printed(int exitCode, String out) {
  }

  static Printed print(String... args) {
    CommandLine cl = FactoryMeter.commandLine();
    StringWriter out = new StringWriter();
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(new StringWriter(), true));
    int code = cl.execute(args);
    return new Printed(code, out.toString());
  }

  /** Every command line that has its own help: "stack", "prices load", ... */
  static List<List<String>> commands() {
    List<List<String>> all = new ArrayList<>();
    collect(FactoryMeter.commandLine(), new ArrayList<>(), all);
    return all;
  }

  private static void collect(CommandLine cl, List<String> path, List<List<String>> all) {
    all.add(path);
    cl.getSubcommands().forEach((name, sub) -> {
      List<String> p = new ArrayList<>(path);
      p.add(name);
      collect(sub, p, all);
    });
  }

  @Test
  void everyCommandPrintsTheProjectVersion() {
    String version = ProjectVersion.version();
    assertTrue(version.matches("\\d+\\.\\d+\\.\\d+(-SNAPSHOT)?"), "from the build: " + version);
    for (List<String> command : commands()) {
      List<String> args = new ArrayList<>(command);
      args.add("-V");
      Printed p = print(args.toArray(String[]::new));
      assertEquals(0, p.exitCode(), String.join(" ", args));
      assertEquals("factory-meter " + version, p.out().strip(), String.join(" ", args));
    }
  }

  @Test
  void everySummaryInACommandListIsOneFullSentence() {
    Pattern entry = Pattern.compile("^  (\\S+)\\s+(.*)$");
    int checked = 0;
    for (List<String> command : commands()) {
      List<String> args = new ArrayList<>(command);
      args.add("--help");
      String help = print(args.toArray(String[]::new)).out();
      int list = help.indexOf("\nCommands:\n");
      if (list < 0) {
        continue;
      }
      // entries start at column 2; their wrapped lines are indented further
      List<String> summaries = new ArrayList<>();
      for (String line : help.substring(list + "\nCommands:\n".length()).split("\n")) {
        Matcher m = entry.matcher(line);
        if (m.matches()) {
          summaries.add(m.group(2).strip());
        } else if (!summaries.isEmpty() && line.startsWith("   ")) {
          summaries.set(summaries.size() - 1, summaries.get(summaries.size() - 1) + " " + line.strip());
        }
      }
      for (String s : summaries) {
        assertTrue(s.endsWith("."), "not a full sentence in '" + String.join(" ", command) + " --help': " + s);
        checked++;
      }
    }
    assertTrue(checked >= 16, "commands listed: " + checked);
  }

  @Test
  void aCommandsOwnHelpDoesNotRepeatItsSummary() {
    String help = print("replay", "--help").out();
    String summary = "Replay historic telemetry to Kafka, keyed by nodeId, with the samples' original timestamps.";
    assertEquals(help.indexOf(summary.substring(0, 40)), help.lastIndexOf(summary.substring(0, 40)), help);
  }

  @Test
  void urlsAreNeverBrokenAcrossLines() {
    for (List<String> command : commands()) {
      List<String> args = new ArrayList<>(command);
      args.add("--help");
      String help = print(args.toArray(String[]::new)).out();
      Matcher m = Pattern.compile("https?:").matcher(help);
      while (m.find()) {
        assertTrue(help.startsWith("//", m.end()), "a URL broken after '" + m.group() + "' in " + String.join(" ", args) + ":\n" + help);
      }
    }
    assertTrue(print("scrape", "--help").out().contains("http://gpu-node-1:9400/metrics"));
    assertTrue(print("tail", "--help").out().contains("http://127.0.0.1:8081"));
  }

  @Test
  void helpTextsNameWhatTheCommandsDo() {
    String simulate = print("simulate", "--help").out().replaceAll("\\s+", " ");
    assertTrue(simulate.contains("H100, B200, H200 and GB200"), simulate);
    String trace = print("replay-trace", "--help").out().replaceAll("\\s+", " ");
    assertTrue(trace.contains("H100, H200, B200 or GB200"), trace);
    String reset = print("reset", "--help").out();
    for (String ignored : List.of("--currency", "--window", "--grace", "--num-stream-threads", "--restatement-horizon", "--price-versions")) {
      assertFalse(reset.contains(ignored), "reset does not use " + ignored);
    }
    assertTrue(reset.contains("--application-id") && reset.contains("--state-dir") && reset.contains("--wait"));
    String replay = print("replay", "--help").out().replaceAll("\\s+", " ");
    assertTrue(replay.contains("--close"), replay);
    assertTrue(replay.contains("late for metrics"), "--close says what it does to the next hour's samples: " + replay);
    String heartbeat = print("heartbeat", "--help").out().replaceAll("\\s+", " ");
    assertTrue(heartbeat.contains("end of its last hour + 10 min"), heartbeat);
    assertFalse(heartbeat.contains("1h + 10m") || heartbeat.contains("1 h 10 min"), heartbeat);
  }

  @Test
  void firstSentence() {
    assertEquals("Run it (e.g. fast): in; out.", CommandSummaries.firstSentence(new String[] {"Run it (e.g. fast): in;", "out. Then more."}));
    assertEquals("No period at all", CommandSummaries.firstSentence(new String[] {"No period", "at all"}));
  }
}
