package io.factorymeter.producers.replay;

import java.nio.file.Path;

/** A line of a replayed file that is not a NodeSample, with its 1-based line number and the reason. */
public record RejectedLine(Path file, long lineNumber, String reason) {

  @Override
  public String toString() {
    return file + ":" + lineNumber + ": " + reason;
  }
}
