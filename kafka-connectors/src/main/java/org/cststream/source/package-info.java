/**
 * Live sources and what they share: the {@link org.cststream.source.FramePublisher} that takes
 * frames from an acquisition without ever blocking it, sends them to Kafka in order, and spools
 * them to local disk while Kafka is slow or down. The sources themselves live in the sub-packages:
 * {@code camera} (GenICam through Aravis), {@code folder} (files written by acquisition software),
 * {@code tcp} (a framed socket) and {@code labels} (stimulus and behaviour).
 */
package org.cststream.source;
