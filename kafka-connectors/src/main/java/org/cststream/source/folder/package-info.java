/**
 * The watch-folder source: publishes the TIFF files acquisition software writes into a folder, each
 * page once complete, in name order, with frame numbers and times from the files' metadata, and
 * progress kept across restarts.
 */
package org.cststream.source.folder;
