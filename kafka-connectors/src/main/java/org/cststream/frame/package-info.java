/**
 * The frame record that every source writes to Kafka and every job reads: its fields, its binary
 * codec with checksum, and pixel conversions. One source of truth for the wire format; {@code
 * docs/frame-format.md} documents it for other languages.
 */
package org.cststream.frame;
