package io.factorymeter.producers.replay;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * The outcome of a replay.
 *
 * @param sent records the broker acknowledged
 * @param rejected lines that were not NodeSamples (all of them, in file order)
 * @param stoppedEarly true when strict replay found a rejected line (and then sent nothing)
 * @param latestSample the latest timestamp of the samples sent, if any were
 * @param heartbeat the event time of the heartbeat that ended the replay, if one was sent
 * @param heartbeatRefused the event time of an end heartbeat that was not sent because it lies
 *     further ahead of the producer's clock than the pipeline accepts (it would be dead-lettered
 *     as FUTURE_TIMESTAMP)
 * @param aheadOfClock samples sent whose timestamp lay further ahead of the producer's clock than the
 *     pipeline accepts: it dead-letters them as FUTURE_TIMESTAMP (replay sends them all the same)
 */
public record ReplayReport(long sent, List<RejectedLine> rejected, boolean stoppedEarly, Optional<Instant> latestSample,
    Optional<Instant> heartbeat, Optional<Instant> heartbeatRefused, long aheadOfClock) {
}
