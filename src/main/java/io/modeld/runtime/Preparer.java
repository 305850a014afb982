package io.modeld.runtime;

import io.modeld.engine.EngineException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.function.Consumer;

/**
 * The runner's preparation thread: renders templates, tokenizes prompts and builds samplers (grammars) for
 * the requests to come, one at a time, while the decode loop keeps the generating slots going. Each task
 * is a step of the {@link StepWatch}. Its stack is large ({@link RunnerMain#STACK_BYTES}), since llama.cpp's
 * JSON-schema and grammar code recurse once per nesting level and per optional property.
 */
final class Preparer {

    /** Work that may fail as the engine fails. */
    interface Work {
        void run() throws EngineException;
    }

    private record Task(long id, String what, Work work, Consumer<EngineException> failed, long epoch) {
    }

    private final BlockingQueue<Task> tasks = new LinkedBlockingQueue<>();
    private final StepWatch.Lane lane;
    private final java.util.function.LongSupplier limitNanos;
    /** Guards running and epoch. */
    private final Object idle = new Object();
    private boolean running;
    /** Tasks submitted before the last {@link #cancelAndWait} belong to an older epoch, and never run. */
    private long epoch;
    /** Why the last epoch ended. */
    private EngineException cancelled;

    /** @param limitNanos the deadline of one task, read when it starts */
    Preparer(StepWatch.Lane lane, java.util.function.LongSupplier limitNanos) {
        this.lane = lane;
        this.limitNanos = limitNanos;
    }

    void start() {
        Thread t = new Thread(null, this::loop, "runner-prepare", RunnerMain.STACK_BYTES);
        t.setDaemon(true);
        t.start();
    }

    /** Queues {@code work} (a step of {@code what} for request {@code id}); a failure goes to {@code failed}. */
    void submit(long id, String what, Work work, Consumer<EngineException> failed) {
        synchronized (idle) {
            tasks.add(new Task(id, what, work, failed, epoch));
        }
    }

    /**
     * Fails the tasks not yet begun with {@code why}, then waits for the one running to end: what they would
     * touch (the model, its templates) is about to be freed.
     */
    void cancelAndWait(EngineException why) throws InterruptedException {
        List<Task> left = new ArrayList<>();
        synchronized (idle) {
            epoch++;
            cancelled = why;
            tasks.drainTo(left);
            while (running) {
                idle.wait();
            }
        }
        left.forEach(t -> t.failed().accept(why));
    }

    private void loop() {
        while (true) {
            Task t;
            try {
                t = tasks.take();
            } catch (InterruptedException e) {
                return;
            }
            EngineException stale = null;
            synchronized (idle) {
                if (t.epoch() != epoch) {
                    stale = cancelled;
                } else {
                    running = true;
                }
            }
            if (stale != null) {
                t.failed().accept(stale);
                continue;
            }
            lane.begin(t.what(), limitNanos.getAsLong(), t.id());
            try {
                t.work().run();
            } catch (EngineException e) {
                t.failed().accept(e);
            } catch (RuntimeException | StackOverflowError e) {
                t.failed().accept(new EngineException(EngineException.Kind.RUNTIME, e.toString()));
            } finally {
                lane.end();
                synchronized (idle) {
                    running = false;
                    idle.notifyAll();
                }
            }
        }
    }
}
