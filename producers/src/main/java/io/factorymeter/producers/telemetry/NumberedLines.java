package io.factorymeter.producers.telemetry;

import java.io.Closeable;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.StandardCharsets;

/**
 * The lines of a UTF-8 text file (JSON Lines, CSV), numbered from 1; a line ends at LF, CR LF or
 * CR. A byte-order mark at the start of the file is dropped (it only says "UTF-8"); a line with
 * bytes that are not UTF-8 is handed out with that problem instead of its text. When the file
 * cannot be read to its end (a truncated gzip stream, an I/O error), the lines read before are
 * handed out and then one problem line: the line the error cut into (its text is never handed
 * out, since a cut CSV row could parse into other values), or the line after the last whole one.
 */
final class NumberedLines implements Closeable {

  private static final char BOM = '\uFEFF';
  private static final char REPLACEMENT = '\uFFFD';

  /** A line: its number and text, or a problem that keeps it from being read. */
  record Line(long number, String text, String problem) {
    boolean readable() {
      return problem == null;
    }
  }

  private final ErrorAtEnd source;
  private final Reader in;
  private final char[] buf = new char[1 << 16];
  private int pos;
  private int len;
  private boolean eof;
  private boolean skipLf;
  private boolean lastTerminated;
  private long number;
  private boolean ended;

  NumberedLines(InputStream in) {
    this.source = new ErrorAtEnd(in);
    this.in = new InputStreamReader(source, StandardCharsets.UTF_8);
  }

  /** The next line, or null after the last one. */
  Line next() {
    if (ended) {
      return null;
    }
    String text;
    try {
      text = readLine();
    } catch (IOException e) {
      ended = true;
      return new Line(number + 1, null, cannotReadOn(e));
    }
    if (text == null) {
      ended = true;
      return source.error == null ? null : new Line(number + 1, null, cannotReadOn(source.error));
    }
    number++;
    if (!lastTerminated && source.error != null) {
      ended = true;
      return new Line(number, null, "the file ends abruptly in this line (truncated or corrupt?): " + source.error.getMessage());
    }
    if (number == 1 && !text.isEmpty() && text.charAt(0) == BOM) {
      text = text.substring(1);
    }
    if (text.indexOf(REPLACEMENT) >= 0) {
      return new Line(number, null, "not valid UTF-8 text");
    }
    return new Line(number, text, null);
  }

  private static String cannotReadOn(IOException e) {
    return "the file cannot be read on from here (truncated or corrupt?): " + e.getMessage();
  }

  /** The next line without its terminator, or null at the end; {@link #lastTerminated} says whether it had one. */
  private String readLine() throws IOException {
    StringBuilder sb = null;
    while (true) {
      if (pos >= len) {
        if (eof) {
          break;
        }
        len = in.read(buf, 0, buf.length);
        pos = 0;
        if (len <= 0) {
          len = 0;
          eof = true;
          break;
        }
      }
      if (skipLf) {
        skipLf = false;
        if (buf[pos] == '\n') {
          pos++;
          continue;
        }
      }
      int start = pos;
      while (pos < len && buf[pos] != '\n' && buf[pos] != '\r') {
        pos++;
      }
      if (pos < len) {
        skipLf = buf[pos] == '\r';
        String piece = new String(buf, start, pos - start);
        pos++;
        lastTerminated = true;
        return sb == null ? piece : sb.append(piece).toString();
      }
      if (sb == null) {
        sb = new StringBuilder();
      }
      sb.append(buf, start, pos - start);
    }
    lastTerminated = false;
    return sb == null || sb.length() == 0 ? null : sb.toString();
  }

  @Override
  public void close() throws IOException {
    in.close();
  }

  /** Ends the stream where it cannot be read on, keeping the error, so that the text before it is not lost. */
  private static final class ErrorAtEnd extends FilterInputStream {
    private IOException error;

    ErrorAtEnd(InputStream in) {
      super(in);
    }

    @Override
    public int read() throws IOException {
      if (error != null) {
        return -1;
      }
      try {
        return super.read();
      } catch (IOException e) {
        error = e;
        return -1;
      }
    }

    @Override
    public int read(byte[] b, int off, int n) throws IOException {
      if (error != null) {
        return -1;
      }
      try {
        return super.read(b, off, n);
      } catch (IOException e) {
        error = e;
        return -1;
      }
    }
  }
}
