package io.factorymeter.producers.trace;

/**
 * One request of an LLM inference trace.
 *
 * @param arrivalMs arrival time, epoch milliseconds UTC
 * @param promptTokens prompt (context) tokens, count
 * @param completionTokens generated tokens, count
 */
public record TraceRequest(long arrivalMs, long promptTokens, long completionTokens) {
}
