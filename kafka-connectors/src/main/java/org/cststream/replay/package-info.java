/**
 * The replay source: publishes a recorded session to Kafka at its own pace, faster, or as fast as
 * possible, with drops, reordering and timestamp jitter injected on request.
 */
package org.cststream.replay;
