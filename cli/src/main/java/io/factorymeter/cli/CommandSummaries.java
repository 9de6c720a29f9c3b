package io.factorymeter.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;
import picocli.CommandLine.Model.UsageMessageSpec;

/**
 * The one-line summaries in the command lists of {@code --help}. picocli shows a command's first
 * description line there, which cuts a description written over several lines mid-sentence.
 * Instead each command gets its first full sentence as its header, which the command list shows;
 * the command's own help leaves the header out, so the sentence is not printed twice.
 */
final class CommandSummaries {

  /** A sentence ends with a period before a space and a capital letter ("e.g. the" does not end one). */
  private static final Pattern SENTENCE_END = Pattern.compile("\\.\\s+(?=[A-Z])");

  private CommandSummaries() {
  }

  /** Sets the summary of every subcommand of {@code root}, at any depth. */
  static void apply(CommandLine root) {
    for (CommandLine sub : root.getSubcommands().values()) {
      UsageMessageSpec usage = sub.getCommandSpec().usageMessage();
      if (usage.header().length == 0 && usage.description().length > 0) {
        usage.header(firstSentence(usage.description()));
        List<String> keys = new ArrayList<>(sub.getHelpSectionKeys());
        keys.remove(UsageMessageSpec.SECTION_KEY_HEADER_HEADING);
        keys.remove(UsageMessageSpec.SECTION_KEY_HEADER);
        sub.setHelpSectionKeys(keys);
      }
      apply(sub);
    }
  }

  /** The first sentence of a description whose lines are joined by spaces. */
  static String firstSentence(String[] description) {
    String text = String.join(" ", description).replaceAll("\\s+", " ").trim();
    Matcher m = SENTENCE_END.matcher(text);
    return m.find() ? text.substring(0, m.start() + 1) : text;
  }
}
