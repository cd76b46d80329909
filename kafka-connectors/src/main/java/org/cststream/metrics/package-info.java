/**
 * Metrics shared by every component: the metric names, the process-wide Micrometer registry and its
 * Prometheus endpoint on loopback.
 */
package org.cststream.metrics;
