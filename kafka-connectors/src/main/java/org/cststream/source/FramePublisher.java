package org.cststream.source;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.errors.InvalidTopicException;
import org.apache.kafka.common.errors.RecordBatchTooLargeException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.RetriableException;
import org.cststream.frame.Frame;
import org.cststream.frame.FrameCodec;
import org.cststream.kafka.KafkaSettings;
import org.cststream.metrics.MetricNames;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hands the frames of a live source to Kafka without ever blocking the acquisition and without
 * losing a frame while memory or disk can hold it.
 *
 * <pre>
 * acquisition --offer()--> bounded queue --router--> Kafka producer (acks=all, idempotent)
 *                                            \-----> disk spool --(when Kafka keeps up)--^
 * </pre>
 *
 * <ul>
 *   <li>{@link #offer(Frame)} never waits: if the queue is full (the router cannot keep up even by
 *       writing to disk), the frame is counted lost ({@code queue-full}). File-based sources, which
 *       can wait, use {@link #put(Frame, Runnable)}.
 *   <li>The router sends a frame straight to Kafka while the bytes sent and not yet acknowledged
 *       stay under {@link PublisherOptions#inFlightBytes}; otherwise (Kafka slow or down) it
 *       appends the frame to the disk spool. Once anything waits in the spool, every newer frame
 *       goes there too, and the spool is read back in order as acknowledgements free room, so
 *       frames reach Kafka in the order they were acquired.
 *   <li>The producer retries without a delivery deadline, so a broker outage delays frames but
 *       never reorders or drops them; its idempotence removes the duplicates that retries would
 *       otherwise make. A send refused because the broker is away (no metadata in time) is tried
 *       again on the same producer, so an outage writes no frame twice.
 *   <li>Only a producer that fails for good is replaced; the new one sends every unacknowledged
 *       frame again, in order, and never one Kafka acknowledged. Those the old producer may have
 *       delivered unanswered can appear twice; they are counted ({@link PublisherStats#resent()},
 *       {@code cst.source.frames.resent}), as are the unanswered frames a timed-out stop keeps.
 *   <li>A frame is lost only when the spool's budget or the disk is exhausted, or Kafka refuses the
 *       record itself (too large); each loss is counted by reason and logged once per reason.
 *   <li>{@link #close()} sends everything still held, including end-of-session markers; if Kafka
 *       stays out of reach for {@link PublisherOptions#stopTimeout}, whatever was not acknowledged
 *       stays in the spool and is sent first by the next publisher opened on the same folder.
 * </ul>
 *
 * <p>Memory held for frames (queue plus unacknowledged sends) never exceeds {@link
 * PublisherOptions#memoryBoundBytes()} plus one frame.
 */
public final class FramePublisher implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(FramePublisher.class);

    /** Memory counted for a frame besides its pixels (header, object overhead), bytes. */
    static final int FRAME_OVERHEAD_BYTES = 256;

    private static final Map<String, AtomicReference<PublisherStats>> CURRENT =
            new ConcurrentHashMap<>();

    private final PublisherOptions options;
    private final MeterRegistry registry;
    private final PublisherStats stats = new PublisherStats();
    private final FrameSpool spool;
    private final Function<Properties, Producer<String, byte[]>> producerFactory;
    private final Properties producerProps;

    private final BlockingQueue<Item> queue = new LinkedBlockingQueue<>();
    private final AtomicLong queuedBytes = new AtomicLong();
    // frames queued and not yet sent, spooled or counted lost: covers the one the router holds
    private final AtomicLong unrouted = new AtomicLong();
    private final ReentrantLock queueLock = new ReentrantLock();
    private final Condition queueHasRoom = queueLock.newCondition();

    private final BlockingQueue<Outgoing> sendQueue = new LinkedBlockingQueue<>();
    private final ConcurrentSkipListMap<Long, Outgoing> inFlight = new ConcurrentSkipListMap<>();
    private final AtomicLong inFlightBytes = new AtomicLong();
    private final AtomicInteger generation = new AtomicInteger();
    private final AtomicReference<Exception> producerFailure = new AtomicReference<>();
    private volatile Producer<String, byte[]> producer;
    private int rebuilds;
    private volatile long outageSince;

    private final Map<String, Counter> counters = new ConcurrentHashMap<>();
    private final Set<String> warned = ConcurrentHashMap.newKeySet();
    private final Thread router;
    private final Thread sender;
    private long nextSeq;
    private volatile long spoolUnread;
    private volatile boolean closing;
    private volatile boolean stopRouter;
    private volatile boolean abandoning;
    private volatile boolean closed;

    /** One frame waiting in the queue, with the callback for when it is safe. */
    private record Item(Frame frame, Runnable onDurable, long bytes) {}

    private FramePublisher(
            PublisherOptions options,
            MeterRegistry registry,
            FrameSpool spool,
            Function<Properties, Producer<String, byte[]>> producerFactory) {
        this.options = options;
        this.registry = registry;
        this.spool = spool;
        this.producerFactory = producerFactory;
        this.producerProps = producerProperties(options);
        this.nextSeq = spool.nextSeq();
        this.spoolUnread = spool.unreadCount();
        stats.setSpoolBytes(spool.bytesOnDisk());
        registerGauges();
        this.producer = producerFactory.apply(producerProps);
        this.router = new Thread(this::route, "cst-publisher-router-" + options.sourceName);
        this.sender = new Thread(this::send, "cst-publisher-sender-" + options.sourceName);
        router.setDaemon(true);
        sender.setDaemon(true);
    }

    /**
     * Opens the spool (recovering what an earlier run left there), creates the Kafka producer and
     * starts the publisher's threads. Kafka need not be reachable yet: frames spool until it is.
     *
     * @throws IOException if the spool folder cannot be created or read
     */
    public static FramePublisher start(PublisherOptions options, MeterRegistry registry)
            throws IOException {
        return start(options, registry, KafkaProducer::new);
    }

    /**
     * As {@link #start(PublisherOptions, MeterRegistry)}, with the producer made by {@code
     * producerFactory} from the publisher's producer properties (for tests, or a producer with
     * interceptors).
     */
    public static FramePublisher start(
            PublisherOptions options,
            MeterRegistry registry,
            Function<Properties, Producer<String, byte[]>> producerFactory)
            throws IOException {
        FrameSpool spool =
                FrameSpool.open(options.spoolDir, options.spoolMaxBytes, options.spoolSegmentBytes);
        FramePublisher p = new FramePublisher(options, registry, spool, producerFactory);
        p.router.start();
        p.sender.start();
        LOG.info(
                "publisher started source={} bootstrap={} {} spooledFromEarlierRun={}",
                options.sourceName,
                options.bootstrapServers,
                options,
                spool.unreadCount());
        return p;
    }

    /** Returns the producer settings: the project's, with no delivery deadline. */
    static Properties producerProperties(PublisherOptions o) {
        Properties p = KafkaSettings.producer(o.bootstrapServers, Map.of());
        // no deadline: a record waits out any outage, so a later one can never overtake it
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, String.valueOf(Integer.MAX_VALUE));
        p.put(ProducerConfig.RETRIES_CONFIG, String.valueOf(Integer.MAX_VALUE));
        // send() waits this long for metadata, then the sender retries; acquisition never waits
        p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "2000");
        p.put(ProducerConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, "500");
        long buffer = o.inFlightBytes + 2L * KafkaSettings.MAX_RECORD_BYTES;
        p.put(ProducerConfig.BUFFER_MEMORY_CONFIG, String.valueOf(buffer));
        p.putAll(o.kafkaProperties);
        return p;
    }

    /** Returns the options this publisher runs with. */
    public PublisherOptions options() {
        return options;
    }

    /** Returns the live counters of this publisher. */
    public PublisherStats stats() {
        return stats;
    }

    /**
     * Queues a frame without waiting; for sources that must never block (cameras, sockets).
     *
     * @return false if the queue was full and the frame was counted lost
     * @throws IllegalStateException if the publisher is closing
     */
    public boolean offer(Frame frame) {
        return offer(frame, null);
    }

    /**
     * Queues a frame without waiting, with a callback run once the frame is safe (acknowledged by
     * Kafka or written to the spool). The callback runs on a publisher or Kafka thread and must be
     * quick.
     *
     * @return false if the queue was full and the frame was counted lost
     */
    public boolean offer(Frame frame, Runnable onDurable) {
        checkOpen();
        long bytes = bytesOf(frame);
        if (!frame.isEndOfSession()) {
            count(MetricNames.SOURCE_ACQUIRED, frame.sessionId, null).increment();
            stats.acquired.incrementAndGet();
        }
        if (queuedBytes.get() + bytes > options.queueBytes && queuedBytes.get() > 0) {
            lose(frame.sessionId, "queue-full", 1, frame.describe());
            return false;
        }
        enqueue(new Item(frame, onDurable, bytes));
        return true;
    }

    /**
     * Queues a frame, waiting while the queue is full; for sources that can wait (files).
     *
     * @param onDurable run once the frame is safe; may be null
     * @throws InterruptedException if interrupted while waiting
     */
    public void put(Frame frame, Runnable onDurable) throws InterruptedException {
        checkOpen();
        long bytes = bytesOf(frame);
        if (!frame.isEndOfSession()) {
            count(MetricNames.SOURCE_ACQUIRED, frame.sessionId, null).increment();
            stats.acquired.incrementAndGet();
        }
        queueLock.lockInterruptibly();
        try {
            while (queuedBytes.get() > 0 && queuedBytes.get() + bytes > options.queueBytes) {
                queueHasRoom.await(100, TimeUnit.MILLISECONDS);
            }
        } finally {
            queueLock.unlock();
        }
        enqueue(new Item(frame, onDurable, bytes));
    }

    /**
     * Queues the end-of-session marker after every frame queued so far; the job uses it to find
     * frames lost at the end.
     *
     * @param lastFrameCounter counter of the last frame the source acquired in the session
     */
    public void endSession(String sessionId, String cameraId, long lastFrameCounter)
            throws InterruptedException {
        put(
                Frame.endOfSession(
                        sessionId,
                        cameraId,
                        lastFrameCounter,
                        org.cststream.frame.WallClock.nanos()),
                null);
    }

    private void enqueue(Item item) {
        unrouted.incrementAndGet();
        queuedBytes.addAndGet(item.bytes);
        stats.addMemory(item.bytes);
        queue.add(item);
    }

    private void checkOpen() {
        if (closing) {
            throw new IllegalStateException(
                    "publisher of source " + options.sourceName + " is closing; frame refused");
        }
    }

    private static long bytesOf(Frame f) {
        return (long) f.pixels.length + FRAME_OVERHEAD_BYTES;
    }

    /**
     * Waits until nothing is queued, spooled or unacknowledged.
     *
     * @return true if that happened within the timeout
     */
    public boolean awaitIdle(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!isIdle()) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            Thread.sleep(10);
        }
        return true;
    }

    /** Returns true if nothing is queued, waiting in the spool or unacknowledged. */
    public boolean isIdle() {
        return unrouted.get() == 0 && spoolUnread == 0 && inFlight.isEmpty();
    }

    // ---- router: queue -> Kafka or spool, spool -> Kafka ----

    private void route() {
        long lastCommit = System.nanoTime();
        long lastForce = lastCommit;
        while (!(stopRouter && queue.isEmpty())) {
            try {
                boolean progressed = drainSpool();
                Item item = queue.poll(progressed ? 0 : 2, TimeUnit.MILLISECONDS);
                if (item != null) {
                    queuedBytes.addAndGet(-item.bytes);
                    stats.addMemory(-item.bytes);
                    signalQueueRoom();
                    try {
                        handle(item);
                    } finally {
                        unrouted.decrementAndGet();
                    }
                }
                long now = System.nanoTime();
                if (now - lastCommit > TimeUnit.MILLISECONDS.toNanos(100)) {
                    commit();
                    lastCommit = now;
                }
                if (now - lastForce > TimeUnit.MILLISECONDS.toNanos(500)) {
                    spool.force();
                    lastForce = now;
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException | IOException e) {
                warnOnce(
                        "router",
                        "publisher router error source={}: {} (retrying; further errors at"
                                + " DEBUG)",
                        options.sourceName,
                        e.toString());
                LOG.debug("publisher router error", e);
                sleepQuietly(50);
            }
        }
        commit();
    }

    private void signalQueueRoom() {
        queueLock.lock();
        try {
            queueHasRoom.signalAll();
        } finally {
            queueLock.unlock();
        }
    }

    private boolean drainSpool() {
        boolean any = false;
        while (spool.hasUnread() && hasRoom(spool.peekMemoryBytes()) && !abandoning) {
            Outgoing r = spool.readNext();
            spoolUnread = spool.unreadCount();
            if (r == null) {
                break;
            }
            if (!r.marker) {
                stats.resentFromSpool.incrementAndGet();
            }
            submit(r);
            any = true;
        }
        return any;
    }

    private void handle(Item item) {
        Frame f = item.frame;
        byte[] value;
        try {
            value = FrameCodec.encode(f);
        } catch (IllegalArgumentException e) {
            lose(f.sessionId, "invalid-frame", 1, f.describe() + ": " + e.getMessage());
            return;
        }
        if (value.length > KafkaSettings.MAX_RECORD_BYTES) {
            lose(
                    f.sessionId,
                    "too-large",
                    1,
                    f.describe()
                            + " is "
                            + value.length
                            + " bytes, over the "
                            + KafkaSettings.MAX_RECORD_BYTES
                            + " a record may have");
            return;
        }
        Outgoing r =
                new Outgoing(nextSeq++, f.sessionId, value, f.isEndOfSession(), item.onDurable);
        if (!abandoning && !spool.hasUnread() && hasRoom(r.memoryBytes())) {
            submit(r);
            return;
        }
        String why = spool.append(r);
        spoolUnread = spool.unreadCount();
        stats.setSpoolBytes(spool.bytesOnDisk());
        if (why == null) {
            if (!r.marker) {
                stats.spooled.incrementAndGet();
                count(MetricNames.SOURCE_SPOOLED, r.key, null).increment();
            }
            r.signalDurable();
        } else if (r.marker) {
            LOG.warn(
                    "end-of-session marker could not be kept session={} reason={}; the job will"
                            + " find the session's end by its idle timeout instead",
                    r.key,
                    why);
        } else {
            lose(r.key, why, 1, f.describe());
        }
    }

    private boolean hasRoom(long bytes) {
        long now = inFlightBytes.get();
        return now == 0 || now + bytes <= options.inFlightBytes;
    }

    private void submit(Outgoing r) {
        inFlight.put(r.seq, r);
        inFlightBytes.addAndGet(r.memoryBytes());
        stats.addMemory(r.memoryBytes());
        sendQueue.add(r);
    }

    private void commit() {
        long c = nextSeq;
        Map.Entry<Long, Outgoing> first = inFlight.firstEntry();
        if (first != null) {
            c = Math.min(c, first.getKey());
        }
        long unread = spool.firstUnreadSeq();
        if (unread >= 0) {
            c = Math.min(c, unread);
        }
        spool.commit(c);
        stats.setSpoolBytes(spool.bytesOnDisk());
    }

    // ---- sender: the only thread that calls the producer ----

    private void send() {
        List<Outgoing> resend = new ArrayList<>();
        while (!closed) {
            try {
                if (producerFailure.get() != null) {
                    resend.clear();
                    resend.addAll(rebuildProducer());
                }
                Outgoing r =
                        resend.isEmpty()
                                ? sendQueue.poll(50, TimeUnit.MILLISECONDS)
                                : resend.remove(0);
                if (r == null || r.isFinished()) {
                    continue;
                }
                sendOne(r);
            } catch (InterruptedException | InterruptException e) {
                return;
            } catch (IllegalStateException e) {
                if (closed || abandoning) {
                    return;
                }
                LOG.warn(
                        "Kafka producer refused a send source={}: {}",
                        options.sourceName,
                        e.toString());
                sleepQuietly(100);
            }
        }
    }

    private void sendOne(Outgoing r) throws InterruptedException {
        while (!abandoning) {
            int gen = generation.get();
            r.generation = gen;
            r.refusedAtSend = null;
            try {
                producer.send(
                        new ProducerRecord<>(options.topic, r.key, r.value), callback(r, gen));
            } catch (KafkaException e) {
                if (e instanceof InterruptException) {
                    throw (InterruptException) e;
                }
                producerFailure.compareAndSet(null, e);
                return;
            }
            Exception refusal = r.refusedAtSend;
            if (refusal == null) {
                r.handedOver = true;
                return;
            }
            if (isRefusedForGood(refusal)) {
                refused(r, refusal);
                return;
            }
            if (!(refusal instanceof RetriableException)) {
                producerFailure.compareAndSet(null, refusal);
                return;
            }
            // no metadata or no buffer in time: the broker is out of reach. The producer did not
            // take the record, and nothing newer was handed to it, so the same producer tries the
            // same record again: its idempotence still covers everything it holds, whereas a new
            // producer would write again what the broker took just before it went away
            if (outageSince == 0) {
                outageSince = System.nanoTime();
            }
            warnOnce(
                    "unreachable",
                    "Kafka not reachable source={} bootstrap={}: {}; frames are spooled to {}"
                            + " until it answers",
                    options.sourceName,
                    options.bootstrapServers,
                    refusal.getMessage(),
                    options.spoolDir);
            if (producerFailure.get() != null) {
                return;
            }
            Thread.sleep(100);
        }
    }

    private Callback callback(Outgoing r, int gen) {
        return (meta, e) -> {
            if (e == null) {
                acknowledged(r);
            } else if (Thread.currentThread() == sender) {
                // send() refused the record before taking it (metadata or buffer not available
                // in time, record too large) and says so here, on the thread that called it;
                // sendOne decides what to do once send() returns
                r.refusedAtSend = e;
            } else if (abandoning || gen != generation.get()) {
                // the record stays unfinished: a rebuilt producer or the spool takes it over
                return;
            } else if (isRefusedForGood(e)) {
                refused(r, e);
            } else {
                producerFailure.compareAndSet(null, e);
            }
        };
    }

    /** Returns true for errors that sending the same record again cannot cure. */
    private static boolean isRefusedForGood(Exception e) {
        return e instanceof RecordTooLargeException
                || e instanceof RecordBatchTooLargeException
                || e instanceof InvalidTopicException
                || e instanceof AuthorizationException;
    }

    private void acknowledged(Outgoing r) {
        if (!r.finish()) {
            return;
        }
        long since = outageSince;
        if (since != 0) {
            outageSince = 0;
            LOG.info(
                    "Kafka acknowledges again source={} afterSeconds={} spooledWaiting={}",
                    options.sourceName,
                    (System.nanoTime() - since) / 1_000_000_000L,
                    spoolUnread);
        }
        release(r);
        if (r.marker) {
            stats.markersPublished.incrementAndGet();
        } else {
            stats.published.incrementAndGet();
            count(MetricNames.SOURCE_PUBLISHED, r.key, null).increment();
        }
        r.signalDurable();
    }

    private void refused(Outgoing r, Exception e) {
        if (!r.finish()) {
            return;
        }
        release(r);
        if (!r.marker) {
            lose(r.key, "refused-by-kafka", 1, "record " + r.seq + ": " + e.getMessage());
        }
        r.signalDurable();
    }

    private void release(Outgoing r) {
        inFlight.remove(r.seq);
        inFlightBytes.addAndGet(-r.memoryBytes());
        stats.addMemory(-r.memoryBytes());
    }

    /** Replaces a producer that failed for good; returns what it had not delivered, in order. */
    private List<Outgoing> rebuildProducer() {
        Exception cause = producerFailure.get();
        // a record that failed (here: metadata not found in time while the broker was away) may
        // have later records already accepted behind it; only a fresh producer fed in sequence
        // order keeps the order
        rebuilds++;
        if (rebuilds == 1) {
            LOG.warn(
                    "Kafka producer gave up on a record source={}: {}; starting a new producer"
                            + " and sending every unacknowledged frame again, in order; frames the"
                            + " old one may have delivered can appear twice and are counted in {}"
                            + " (further restarts at DEBUG)",
                    options.sourceName,
                    cause.toString(),
                    MetricNames.SOURCE_RESENT);
        } else {
            LOG.debug(
                    "Kafka producer restarted source={} count={}: {}",
                    options.sourceName,
                    rebuilds,
                    cause.toString());
        }
        if (outageSince == 0) {
            outageSince = System.nanoTime();
        }
        generation.incrementAndGet();
        try {
            producer.close(Duration.ZERO);
        } catch (RuntimeException e) {
            LOG.debug("closing the failed producer", e);
        }
        producer = producerFactory.apply(producerProps);
        producerFailure.set(null);
        List<Outgoing> again = new ArrayList<>();
        for (Outgoing r : inFlight.values()) {
            if (!r.isFinished() && r.generation < generation.get() && !sendQueue.contains(r)) {
                again.add(r);
            }
        }
        // the old producer may have delivered these without its answer coming back; the new
        // one has another producer id, so the broker cannot tell its copies from new records
        countResent(again);
        return again;
    }

    // ---- counting ----

    /** Counts the frames among {@code records} that a producer took before: possible duplicates. */
    private void countResent(List<Outgoing> records) {
        for (Outgoing r : records) {
            if (r.handedOver && !r.marker) {
                stats.resent.incrementAndGet();
                count(MetricNames.SOURCE_RESENT, r.key, null).increment();
            }
        }
    }

    private void lose(String session, String reason, long n, String what) {
        stats.lostCounter(reason, n);
        count(MetricNames.SOURCE_LOST, session, reason).increment(n);
        warnOnce(
                "lost-" + reason,
                "frame lost source={} session={} reason={}: {} (counted in {}; further losses"
                        + " for this reason at DEBUG)",
                options.sourceName,
                session,
                reason,
                what,
                MetricNames.SOURCE_LOST);
        LOG.debug("frame lost source={} reason={}: {}", options.sourceName, reason, what);
    }

    private Counter count(String name, String session, String reason) {
        String key = name + "|" + session + "|" + reason;
        return counters.computeIfAbsent(
                key,
                k -> {
                    Counter.Builder b =
                            Counter.builder(name)
                                    .tag(MetricNames.TAG_SOURCE, options.sourceName)
                                    .tag(MetricNames.TAG_SESSION, session);
                    if (reason != null) {
                        b.tag(MetricNames.TAG_REASON, reason);
                    }
                    return b.register(registry);
                });
    }

    private void registerGauges() {
        AtomicReference<PublisherStats> current =
                CURRENT.computeIfAbsent(
                        options.sourceName + "@" + System.identityHashCode(registry),
                        k -> {
                            AtomicReference<PublisherStats> ref = new AtomicReference<>();
                            Gauge.builder(
                                            MetricNames.SOURCE_MEMORY,
                                            ref,
                                            s -> s.get() == null ? 0 : s.get().memoryBytes())
                                    .baseUnit("bytes")
                                    .description("frame bytes a live source holds in memory")
                                    .tag(MetricNames.TAG_SOURCE, options.sourceName)
                                    .strongReference(true)
                                    .register(registry);
                            Gauge.builder(
                                            MetricNames.SOURCE_SPOOL,
                                            ref,
                                            s -> s.get() == null ? 0 : s.get().spoolBytes())
                                    .baseUnit("bytes")
                                    .description("bytes in a live source's disk spool")
                                    .tag(MetricNames.TAG_SOURCE, options.sourceName)
                                    .strongReference(true)
                                    .register(registry);
                            return ref;
                        });
        current.set(stats);
    }

    private void warnOnce(String key, String format, Object... args) {
        if (warned.add(key)) {
            LOG.warn(format, args);
        }
    }

    private static void sleepQuietly(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    // ---- stop ----

    /**
     * Stops accepting frames and sends everything still held. If Kafka does not acknowledge it all
     * within the stop timeout, the rest stays in the spool for the next run, and the log says how
     * many frames and where.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closing = true;
        long deadline = System.nanoTime() + options.stopTimeout.toNanos();
        boolean idle = false;
        try {
            while (!(idle = isIdle()) && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (!idle) {
            // stop reading the spool: what is not sent now stays there
            abandoning = true;
        }
        stopRouter = true;
        joinQuietly(router);
        if (!idle) {
            sender.interrupt();
            joinQuietly(sender);
            try {
                producer.close(Duration.ofMillis(200));
            } catch (RuntimeException e) {
                LOG.debug("closing the producer", e);
            }
            keepUnacknowledged();
        } else {
            try {
                producer.flush();
                producer.close(Duration.ofSeconds(10));
            } catch (RuntimeException e) {
                LOG.warn(
                        "closing the Kafka producer source={}: {}",
                        options.sourceName,
                        e.toString());
            }
        }
        closed = true;
        sender.interrupt();
        joinQuietly(sender);
        commit();
        stats.leftInSpool.set(spool.unreadCount() + countUnfinishedFromSpool());
        try {
            spool.close();
        } catch (IOException e) {
            LOG.warn("cannot close the spool dir={}: {}", options.spoolDir, e.toString());
        }
        stats.setSpoolBytes(spool.bytesOnDisk());
        if (stats.leftInSpool() > 0) {
            LOG.warn(
                    "Kafka did not acknowledge everything within {} ms source={}; {} record(s)"
                            + " stay in the spool {} and are sent first by the next source started"
                            + " with this spool folder",
                    options.stopTimeout.toMillis(),
                    options.sourceName,
                    stats.leftInSpool(),
                    options.spoolDir);
        }
        LOG.info("publisher stopped source={} {}", options.sourceName, stats);
    }

    /** Writes the records sent straight to Kafka and not acknowledged into the spool. */
    private void keepUnacknowledged() {
        List<Outgoing> direct = new ArrayList<>();
        List<Outgoing> unanswered = new ArrayList<>();
        for (Outgoing r : inFlight.values()) {
            if (!r.isFinished()) {
                unanswered.add(r);
                if (!r.fromSpool) {
                    direct.add(r);
                }
            }
        }
        // the next run sends all of them again; those handed to Kafka may already be there
        countResent(unanswered);
        try {
            spool.keep(direct);
            for (Outgoing r : direct) {
                r.signalDurable();
            }
        } catch (IOException e) {
            LOG.error(
                    "cannot keep {} unacknowledged frame(s) in the spool dir={}: {}; they are"
                            + " lost",
                    direct.size(),
                    options.spoolDir,
                    e.toString());
            for (Outgoing r : direct) {
                if (!r.marker) {
                    lose(r.key, "spool-error", 1, "record " + r.seq);
                }
            }
        }
        // the unfinished records stay in the in-flight map, so the committed sequence number
        // written at close stays below them and the next run sends them again
    }

    /** Returns the records read back from the spool whose sending was not acknowledged. */
    private long countUnfinishedFromSpool() {
        return inFlight.values().stream().filter(r -> !r.isFinished() && r.fromSpool).count();
    }

    private static void joinQuietly(Thread t) {
        try {
            t.join(30_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
