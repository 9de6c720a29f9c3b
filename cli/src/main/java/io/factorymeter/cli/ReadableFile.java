package io.factorymeter.cli;

import java.nio.file.Files;
import java.nio.file.Path;

/** The check an input file passes before a command connects to anything. */
final class ReadableFile {

  private ReadableFile() {
  }

  /** Fails with a {@link UserError} unless {@code file} is a readable regular file (or link to one). */
  static void require(Path file) {
    if (!Files.isReadable(file) || Files.isDirectory(file)) {
      throw new UserError("Cannot read " + file + ": no such file");
    }
  }
}
