package io.factorymeter.producers.telemetry;

/**
 * The reason a part of a file was rejected, made fit for one line of a terminal: control and
 * format characters (line breaks, escape sequences, byte-order marks, bidirectional overrides)
 * written as {@code \}{@code uXXXX}, and at most {@value #MAX_LENGTH} characters.
 */
final class ReasonText {

  static final int MAX_LENGTH = 300;

  private ReasonText() {
  }

  static String clean(String reason) {
    String text = reason == null ? "unreadable" : reason;
    StringBuilder out = new StringBuilder(Math.min(text.length(), MAX_LENGTH + 16));
    int i = 0;
    for (; i < text.length() && out.length() < MAX_LENGTH; i++) {
      char c = text.charAt(i);
      int type = Character.getType(c);
      if (type == Character.CONTROL || type == Character.FORMAT || type == Character.LINE_SEPARATOR
          || type == Character.PARAGRAPH_SEPARATOR || type == Character.SURROGATE && !validSurrogate(text, i)) {
        out.append(String.format("\\u%04x", (int) c));
      } else {
        out.append(c);
      }
    }
    if (i < text.length()) {
      out.setLength(Math.min(out.length(), MAX_LENGTH));
      out.append("...");
    }
    return out.toString();
  }

  private static boolean validSurrogate(String s, int i) {
    char c = s.charAt(i);
    if (Character.isHighSurrogate(c)) {
      return i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1));
    }
    return i > 0 && Character.isHighSurrogate(s.charAt(i - 1));
  }
}
