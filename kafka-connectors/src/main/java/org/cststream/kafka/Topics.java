package org.cststream.kafka;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Creates the project's topics with the size limits that frames need. */
public final class Topics {
    private static final Logger LOG = LoggerFactory.getLogger(Topics.class);

    /** Default topic of frame records (the frame job's input). */
    public static final String FRAMES = "cst.frames";

    /** Default topic of stimulus and TTL event records (JSON, keyed by session). */
    public static final String STIMULUS = "cst.stimulus";

    /** Default topic of sampled behaviour records (JSON, keyed by session). */
    public static final String BEHAVIOUR = "cst.behaviour";

    /** Numbers the admin clients of this JVM, so each has its own client.id in broker logs. */
    private static final java.util.concurrent.atomic.AtomicLong CLIENTS =
            new java.util.concurrent.atomic.AtomicLong();

    private Topics() {}

    /**
     * Creates each topic that does not exist yet, with {@link KafkaSettings#frameTopicConfig()}.
     * Existing topics are left as they are.
     *
     * @param partitions partitions of each new topic (1 or more)
     * @param replication replication factor of each new topic (1 for a single broker)
     */
    public static void ensure(
            String bootstrapServers,
            Map<String, String> clientProps,
            List<String> names,
            int partitions,
            short replication) {
        java.util.Properties props = KafkaSettings.admin(bootstrapServers, clientProps);
        props.putIfAbsent("client.id", "cst-topics-" + CLIENTS.incrementAndGet());
        props.putIfAbsent("default.api.timeout.ms", "15000");
        props.putIfAbsent("request.timeout.ms", "10000");
        try (Admin admin = Admin.create(props)) {
            Set<String> existing;
            try {
                existing = admin.listTopics().names().get(15, TimeUnit.SECONDS);
            } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
                throw new IllegalStateException(
                        "no Kafka broker answered at "
                                + bootstrapServers
                                + " within 15 s; check --bootstrap-servers and that the broker"
                                + " is running",
                        e);
            }
            List<NewTopic> create = new ArrayList<>();
            for (String name : names) {
                if (!existing.contains(name)) {
                    create.add(
                            new NewTopic(name, partitions, replication)
                                    .configs(KafkaSettings.frameTopicConfig()));
                }
            }
            if (!create.isEmpty()) {
                admin.createTopics(create).all().get(30, TimeUnit.SECONDS);
                LOG.info(
                        "created topics names={} partitions={}",
                        create.stream().map(NewTopic::name).toList(),
                        partitions);
            }
        } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException(
                    "cannot create topics "
                            + names
                            + " on "
                            + bootstrapServers
                            + ": "
                            + e.getMessage(),
                    e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while creating topics", e);
        }
    }

    /**
     * Returns the largest record each topic accepts ({@code max.message.bytes}: the topic's own
     * setting or the broker's default), for the topics that exist.
     *
     * @param timeout how long to wait for the broker
     * @throws IllegalStateException if the broker does not answer in time
     */
    public static Map<String, Long> maxMessageBytes(
            String bootstrapServers,
            Map<String, String> clientProps,
            List<String> names,
            java.time.Duration timeout) {
        java.util.Properties props = KafkaSettings.admin(bootstrapServers, clientProps);
        props.putIfAbsent("client.id", "cst-topic-limits-" + CLIENTS.incrementAndGet());
        props.putIfAbsent("default.api.timeout.ms", String.valueOf(timeout.toMillis()));
        props.putIfAbsent("request.timeout.ms", String.valueOf(timeout.toMillis()));
        Map<String, Long> limits = new java.util.TreeMap<>();
        try (Admin admin = Admin.create(props)) {
            Set<String> existing =
                    admin.listTopics().names().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            List<org.apache.kafka.common.config.ConfigResource> resources = new ArrayList<>();
            for (String name : names) {
                if (existing.contains(name)) {
                    resources.add(
                            new org.apache.kafka.common.config.ConfigResource(
                                    org.apache.kafka.common.config.ConfigResource.Type.TOPIC,
                                    name));
                }
            }
            if (resources.isEmpty()) {
                return limits;
            }
            admin.describeConfigs(resources)
                    .all()
                    .get(timeout.toMillis(), TimeUnit.MILLISECONDS)
                    .forEach(
                            (resource, config) -> {
                                var entry = config.get("max.message.bytes");
                                if (entry != null && entry.value() != null) {
                                    limits.put(resource.name(), Long.parseLong(entry.value()));
                                }
                            });
            return limits;
        } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException(
                    "cannot read the record size limits of topics "
                            + names
                            + " on "
                            + bootstrapServers
                            + ": "
                            + e.getMessage(),
                    e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while reading topic limits", e);
        }
    }
}
