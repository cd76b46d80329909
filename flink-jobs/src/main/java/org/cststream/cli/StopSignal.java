package org.cststream.cli;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Turns Ctrl-C or SIGTERM into a clean stop of a source: the hook asks the source to stop, then
 * waits until the command has flushed everything (or the wait runs out) before the JVM exits.
 */
final class StopSignal implements AutoCloseable {
    private final CountDownLatch done = new CountDownLatch(1);
    private final Thread hook;

    /**
     * @param stop asks the source to stop; called on the signal
     * @param wait longest wait for the flush after the signal
     */
    StopSignal(Runnable stop, Duration wait) {
        hook =
                new Thread(
                        () -> {
                            stop.run();
                            try {
                                done.await(wait.toMillis(), TimeUnit.MILLISECONDS);
                            } catch (InterruptedException e) {
                                Thread.currentThread().interrupt();
                            }
                        },
                        "cst-stop-source");
        Runtime.getRuntime().addShutdownHook(hook);
    }

    /** Marks the command done: a pending signal lets the JVM exit, a later one is not needed. */
    @Override
    public void close() {
        done.countDown();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            // the JVM is shutting down: the hook is running and now returns
        }
    }
}
