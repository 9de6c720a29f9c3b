package io.factorymeter.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import java.io.PrintWriter;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;

/** {@code ./factory-meter}: the command-line tool of Factory Meter. */
@Command(name = "factory-meter", mixinStandardHelpOptions = true, versionProvider = ProjectVersion.class,
    description = "Metering for AI factories: tokens, energy, cost and uptime of GPU fleets on Kafka.",
    subcommands = {StackCommand.class, RunCommand.class, SimulateCommand.class, ReplayCommand.class, ReplayTraceCommand.class, RecordCommand.class, ScrapeCommand.class, HeartbeatCommand.class,
        TailCommand.class, BillingCommand.class, LedgerCommand.class, ResetCommand.class,
        PricesCommand.class, ReferenceCommand.class, DemoCommand.class, BenchmarkCommand.class, BenchCommand.class, FaultTestCommand.class})
public final class FactoryMeter implements Runnable {

  /** Packages whose Avro classes may be instantiated (Avro 1.12.2 refuses others). */
  static final String AVRO_TRUSTED_PACKAGES = "io.factorymeter";

  @Spec
  CommandSpec spec;

  @Option(names = "--verbose", scope = ScopeType.INHERIT,
      description = "Log at INFO level (Kafka included) and show stack traces of errors.")
  void verbose(boolean on) {
    FactoryMeter.verbose = on;
    if (on) {
      ((Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).setLevel(Level.INFO);
      ((Logger) LoggerFactory.getLogger("io.factorymeter")).setLevel(Level.INFO);
      ((Logger) LoggerFactory.getLogger("org.apache.kafka")).setLevel(Level.WARN);
      ((Logger) LoggerFactory.getLogger("kafka")).setLevel(Level.WARN);
    }
  }

  private static boolean verbose;

  /** Whether --verbose was given: show stack traces and library output. */
  static boolean verbose() {
    return verbose;
  }

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "Missing command");
  }

  public static void main(String[] args) {
    if (System.getProperty("org.apache.avro.SERIALIZABLE_PACKAGES") == null) {
      System.setProperty("org.apache.avro.SERIALIZABLE_PACKAGES", AVRO_TRUSTED_PACKAGES);
    }
    System.exit(execute(args));
  }

  /** Runs a command line and returns its exit code: 0 ok, 1 failure, 2 bad usage. */
  public static int execute(String... args) {
    CommandLine cl = commandLine();
    cl.setParameterExceptionHandler((ex, arguments) -> {
      PrintWriter err = ex.getCommandLine().getErr();
      err.println("factory-meter: " + ex.getMessage() + " (see: " + ex.getCommandLine().getCommandSpec().qualifiedName() + " --help)");
      err.flush();
      return 2;
    });
    cl.setExecutionExceptionHandler((ex, commandLine, parseResult) -> {
      PrintWriter err = commandLine.getErr();
      if (verbose) {
        ex.printStackTrace(err);
      }
      if (ex instanceof UserError u) {
        err.println("factory-meter: " + u.getMessage());
        err.flush();
        return u.exitCode();
      }
      err.println("factory-meter: " + describe(ex) + (verbose ? "" : " (--verbose shows details)"));
      err.flush();
      return 1;
    });
    return cl.execute(args);
  }

  /** The command tree: every command prints the project version for -V, and a full sentence as its summary. */
  static CommandLine commandLine() {
    CommandLine cl = new CommandLine(new FactoryMeter());
    setVersion(cl);
    CommandSummaries.apply(cl);
    return cl;
  }

  private static void setVersion(CommandLine cl) {
    cl.getCommandSpec().versionProvider(new ProjectVersion());
    cl.getSubcommands().values().forEach(FactoryMeter::setVersion);
  }

  /** One line for an unexpected exception: the most specific message in its cause chain. */
  static String describe(Throwable e) {
    String message = null;
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t.getMessage() != null && !t.getMessage().isBlank()) {
        message = t.getClass().getSimpleName() + ": " + t.getMessage();
      }
    }
    return (message == null ? e.getClass().getName() : message).replace('\n', ' ');
  }
}
