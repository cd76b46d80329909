/**
 * Pictures of the running pipeline: a bounded in-memory registry of the newest frames and attention
 * maps that the job's operators offer in their JVM, and a small HTTP server that renders them as
 * PNG and serves a live page. The job does not depend on the server: operators only hand references
 * to the registry.
 */
package org.cststream.pictures;
