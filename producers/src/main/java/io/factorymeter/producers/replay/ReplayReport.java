package io.factorymeter.producers.replay;

import java.util.List;

/**
 * The outcome of a replay.
 *
 * @param sent records the broker acknowledged
 * @param rejected lines that were not NodeSamples (all of them, in file order)
 * @param stoppedEarly true when {@code --strict} stopped the run at the first rejected line
 */
public record ReplayReport(long sent, List<RejectedLine> rejected, boolean stoppedEarly) {
}
