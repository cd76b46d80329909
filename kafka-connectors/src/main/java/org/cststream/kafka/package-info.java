/**
 * Kafka plumbing shared by sources and jobs: the embedded KRaft broker, client and topic settings
 * sized for camera frames, and topic creation. Every producer and consumer of the project takes its
 * settings from {@link KafkaSettings}.
 */
package org.cststream.kafka;
