/**
 * The raw stream source: frame records over TCP, each preceded by its length, from any program that
 * can open a socket. The framing is documented in {@code docs/sources.md}.
 */
package org.cststream.source.tcp;
