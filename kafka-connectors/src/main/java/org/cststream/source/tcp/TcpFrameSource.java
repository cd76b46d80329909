package org.cststream.source.tcp;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.cststream.frame.Frame;
import org.cststream.frame.FrameCodec;
import org.cststream.frame.FrameFormatException;
import org.cststream.frame.WallClock;
import org.cststream.kafka.KafkaSettings;
import org.cststream.metrics.MetricNames;
import org.cststream.source.FramePublisher;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The raw stream source: a TCP server that takes frames from any program able to open a socket.
 *
 * <p>Framing: each message is a 4-byte little-endian unsigned length {@code N}, then {@code N}
 * bytes holding one frame record exactly as on Kafka (magic {@code CSTF}, see {@code
 * docs/frame-format.md}), end-of-session markers included. Nothing is sent back. A message longer
 * than {@link Options#maxFrameBytes()} closes the connection (the stream cannot be trusted after
 * it); a message that is not a valid frame record (bad checksum, wrong size...) is skipped, counted
 * in {@link MetricNames#SOURCE_REJECTED} by reason and logged once per reason, and the connection
 * goes on. A host receive time of 0 is set to the time the message arrived.
 *
 * <p>Each connection has its own thread; frames of one connection keep their order. The server
 * binds to loopback unless told otherwise. On {@link #close()}, every session that sent frames but
 * no end-of-session marker gets one, after its last frame.
 */
public final class TcpFrameSource implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(TcpFrameSource.class);

    /** Metric tag of this source. */
    public static final String SOURCE_NAME = "tcp";

    private final Options options;
    private final FramePublisher publisher;
    private final MeterRegistry registry;
    private final ServerSocket server;
    private final Thread acceptor;
    private final Set<Socket> connections = ConcurrentHashMap.newKeySet();
    private final Set<Thread> readers = ConcurrentHashMap.newKeySet();
    private final Map<String, long[]> openSessions = new ConcurrentHashMap<>();
    private final Map<String, String> cameras = new ConcurrentHashMap<>();
    private final Set<String> warned = ConcurrentHashMap.newKeySet();
    private final AtomicLong received = new AtomicLong();
    private final AtomicLong rejected = new AtomicLong();
    private final AtomicLong connectionCount = new AtomicLong();
    private volatile boolean closing;

    /**
     * How the server runs.
     *
     * @param bindHost address to listen on; {@code 127.0.0.1} keeps it to this machine
     * @param port TCP port, or 0 for a free one
     * @param maxFrameBytes largest message accepted, bytes (at most the Kafka record limit)
     * @param maxConnections connections served at once; further ones are closed at once
     * @param requiredSession if not empty, frames of any other session are rejected
     */
    public record Options(
            String bindHost,
            int port,
            int maxFrameBytes,
            int maxConnections,
            String requiredSession) {
        /** Checks the values; the message names the one out of range with its unit. */
        public Options {
            if (port < 0 || port > 65_535) {
                throw new IllegalArgumentException("port must be in 0..65535, was " + port);
            }
            if (maxFrameBytes < 64 || maxFrameBytes > KafkaSettings.MAX_RECORD_BYTES) {
                throw new IllegalArgumentException(
                        "largest frame must be in 64.."
                                + KafkaSettings.MAX_RECORD_BYTES
                                + " bytes, was "
                                + maxFrameBytes);
            }
            if (maxConnections < 1 || maxConnections > 1024) {
                throw new IllegalArgumentException(
                        "connections must be in 1..1024, was " + maxConnections);
            }
            requiredSession = requiredSession == null ? "" : requiredSession;
        }
    }

    private TcpFrameSource(
            Options options,
            FramePublisher publisher,
            MeterRegistry registry,
            ServerSocket server) {
        this.options = options;
        this.publisher = publisher;
        this.registry = registry;
        this.server = server;
        this.acceptor = new Thread(this::accept, "cst-tcp-accept-" + server.getLocalPort());
        acceptor.setDaemon(true);
    }

    /**
     * Binds the server and starts accepting connections.
     *
     * @throws IOException if the address cannot be bound (the message says which and why)
     */
    public static TcpFrameSource start(
            Options options, FramePublisher publisher, MeterRegistry registry) throws IOException {
        ServerSocket s = new ServerSocket();
        try {
            s.setReuseAddress(true);
            s.bind(
                    new InetSocketAddress(InetAddress.getByName(options.bindHost), options.port),
                    options.maxConnections);
        } catch (IOException e) {
            s.close();
            throw new IOException(
                    "cannot listen on "
                            + options.bindHost
                            + ":"
                            + options.port
                            + " ("
                            + e.getMessage()
                            + "); choose another --port, or 0 for a free one",
                    e);
        }
        TcpFrameSource source = new TcpFrameSource(options, publisher, registry, s);
        source.acceptor.start();
        LOG.info(
                "tcp source listening address={}:{} maxFrameBytes={}",
                options.bindHost,
                s.getLocalPort(),
                options.maxFrameBytes);
        return source;
    }

    /** Returns the port the server listens on. */
    public int port() {
        return server.getLocalPort();
    }

    /** Returns the valid frame records received so far (markers not counted). */
    public long framesReceived() {
        return received.get();
    }

    /** Returns the messages rejected so far. */
    public long rejected() {
        return rejected.get();
    }

    /** Returns the connections accepted so far. */
    public long connectionsAccepted() {
        return connectionCount.get();
    }

    /** Returns the connections open now. */
    public int openConnections() {
        return connections.size();
    }

    private void accept() {
        while (!closing) {
            Socket s;
            try {
                s = server.accept();
            } catch (IOException e) {
                if (!closing) {
                    LOG.warn("tcp source stopped accepting: {}", e.toString());
                }
                return;
            }
            if (connections.size() >= options.maxConnections) {
                LOG.warn(
                        "tcp connection refused from={}: already {} open (--max-connections)",
                        s.getRemoteSocketAddress(),
                        connections.size());
                closeQuietly(s);
                continue;
            }
            connections.add(s);
            long id = connectionCount.incrementAndGet();
            Thread t = new Thread(() -> serve(s, id), "cst-tcp-connection-" + id);
            t.setDaemon(true);
            readers.add(t);
            t.start();
        }
    }

    private void serve(Socket socket, long id) {
        String peer = String.valueOf(socket.getRemoteSocketAddress());
        LOG.info("tcp connection opened id={} from={}", id, peer);
        long messages = 0;
        try (DataInputStream in =
                new DataInputStream(new BufferedInputStream(socket.getInputStream(), 1 << 16))) {
            socket.setReceiveBufferSize(4 << 20);
            while (!closing) {
                int length;
                try {
                    length = Integer.reverseBytes(in.readInt());
                } catch (EOFException e) {
                    break;
                }
                long unsigned = length & 0xFFFFFFFFL;
                if (unsigned == 0 || unsigned > options.maxFrameBytes) {
                    reject(
                            "bad-length",
                            "connection "
                                    + id
                                    + " from "
                                    + peer
                                    + ", message "
                                    + messages
                                    + ": length "
                                    + unsigned
                                    + " bytes is outside 1.."
                                    + options.maxFrameBytes
                                    + " (--max-frame-mb); closing the connection, as the stream"
                                    + " cannot be read on after it");
                    break;
                }
                byte[] record = new byte[(int) unsigned];
                try {
                    in.readFully(record);
                } catch (EOFException e) {
                    reject(
                            "truncated",
                            "connection "
                                    + id
                                    + " from "
                                    + peer
                                    + " closed inside message "
                                    + messages
                                    + " ("
                                    + unsigned
                                    + " bytes announced)");
                    break;
                }
                long arrived = WallClock.nanos();
                messages++;
                take(record, arrived, id, peer, messages - 1);
            }
        } catch (SocketException e) {
            if (!closing) {
                LOG.info("tcp connection reset id={} from={}: {}", id, peer, e.getMessage());
            }
        } catch (IOException e) {
            LOG.warn("tcp connection failed id={} from={}: {}", id, peer, e.toString());
        } finally {
            connections.remove(socket);
            closeQuietly(socket);
            readers.remove(Thread.currentThread());
            LOG.info("tcp connection closed id={} from={} messages={}", id, peer, messages);
        }
    }

    private void take(byte[] record, long arrived, long id, String peer, long index) {
        Frame f;
        try {
            f = FrameCodec.decode(record);
        } catch (FrameFormatException e) {
            reject(
                    e.reason().tag(),
                    "connection "
                            + id
                            + " from "
                            + peer
                            + ", message "
                            + index
                            + ": "
                            + e.getMessage());
            return;
        }
        if (!options.requiredSession.isEmpty() && !options.requiredSession.equals(f.sessionId)) {
            reject(
                    "wrong-session",
                    "connection "
                            + id
                            + " from "
                            + peer
                            + ", message "
                            + index
                            + ": session '"
                            + f.sessionId
                            + "' but this source takes only '"
                            + options.requiredSession
                            + "' (--session)");
            return;
        }
        if (f.hostReceiveNanos == 0) {
            f.hostReceiveNanos = arrived;
        }
        if (f.isEndOfSession()) {
            openSessions.remove(f.sessionId);
            try {
                publisher.endSession(f.sessionId, f.cameraId, f.frameCounter);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return;
        }
        openSessions.merge(
                f.sessionId,
                new long[] {f.frameCounter},
                (a, b) -> new long[] {Math.max(a[0], b[0])});
        cameras.put(f.sessionId, f.cameraId);
        received.incrementAndGet();
        publisher.offer(f);
    }

    private void reject(String reason, String message) {
        rejected.incrementAndGet();
        Counter.builder(MetricNames.SOURCE_REJECTED)
                .description("files or records a live source refused")
                .tag(MetricNames.TAG_SOURCE, SOURCE_NAME)
                .tag(MetricNames.TAG_REASON, reason)
                .register(registry)
                .increment();
        if (warned.add(reason)) {
            LOG.warn(
                    "tcp message rejected reason={}: {} (counted in {}; further rejections for"
                            + " this reason at DEBUG)",
                    reason,
                    message,
                    MetricNames.SOURCE_REJECTED);
        } else {
            LOG.debug("tcp message rejected reason={}: {}", reason, message);
        }
    }

    /**
     * Stops listening, closes the connections, and queues an end-of-session marker for every
     * session whose client did not send one. The publisher is not closed.
     */
    @Override
    public void close() throws InterruptedException {
        closing = true;
        try {
            server.close();
        } catch (IOException e) {
            LOG.debug("closing the server socket", e);
        }
        acceptor.join(5000);
        for (Socket s : connections) {
            closeQuietly(s);
        }
        for (Thread t : readers) {
            t.join(5000);
        }
        for (Map.Entry<String, long[]> e : openSessions.entrySet()) {
            publisher.endSession(e.getKey(), cameras.getOrDefault(e.getKey(), ""), e.getValue()[0]);
        }
        openSessions.clear();
        LOG.info(
                "tcp source stopped frames={} rejected={} connections={}",
                received.get(),
                rejected.get(),
                connectionCount.get());
    }

    /** Waits until no connection is open (after at least one was), or the timeout passes. */
    public boolean awaitClientsDone(java.time.Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (connectionCount.get() == 0 || !connections.isEmpty()) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            Thread.sleep(10);
        }
        return true;
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException e) {
            // closing anyway
        }
    }
}
