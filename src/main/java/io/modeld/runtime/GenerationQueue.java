package io.modeld.runtime;

import io.modeld.engine.EngineException;
import io.modeld.engine.Generation;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * The generations of a runner's model on their way to a slot: waiting for one to be free (in order), then
 * prepared on the preparation thread (rendered, tokenized, their sampler built) with that slot kept for them,
 * then started by the decode loop. Used by the decode loop alone.
 */
final class GenerationQueue {

    /** A generation that waits for a free slot. */
    private record Pending(long id, RunnerRequest request) {
    }

    /** A generation made ready by the preparation thread (or its failure), for the model it was made on. */
    record Prepared(RunnerModel held, Pending pending, Generation.Job job, EngineException failure) {
    }

    private final RunnerChannel channel;
    private final Preparer preparer;
    private final JobMaker jobs;
    private final Deque<Pending> waiting = new ArrayDeque<>();
    /** Slots promised to generations in preparation, or prepared and not yet started. */
    private int reserved;

    GenerationQueue(RunnerChannel channel, Preparer preparer, JobMaker jobs) {
        this.channel = channel;
        this.preparer = preparer;
        this.jobs = jobs;
    }

    /** Queues a generation on {@code held}'s slots; it is prepared once a slot is free for it. */
    void add(RunnerModel held, long id, RunnerRequest r) {
        channel.track(id);
        waiting.add(new Pending(id, r));
        feed(held);
    }

    /** Hands waiting generations to the preparation thread while slots are free for them. */
    void feed(RunnerModel held) {
        while (!waiting.isEmpty() && held.generator.freeSlots() - reserved > 0) {
            Pending p = waiting.poll();
            reserved++;
            preparer.submit(p.id(), "preparing the prompt and its sampler", () -> channel.inbox.add(new Prepared(held,
                    p, jobs.make(held, p.id(), p.request(), () -> channel.stopped(p.id())), null)),
                    e -> channel.inbox.add(new Prepared(held, p, null, e)));
        }
    }

    /**
     * Starts a prepared generation in the slot kept for it, on {@code held} (the model loaded now); one that
     * cannot start is answered with its failure.
     */
    void start(Prepared p, RunnerModel held) {
        if (p.held() != held) {
            fail(p, new EngineException(EngineException.Kind.RUNTIME, "the model was unloaded"));
            return;
        }
        reserved--;
        if (p.failure() != null) {
            fail(p, p.failure());
            return;
        }
        try {
            long id = p.pending().id();
            int prompt = p.job().request().prompt().length;
            p.held().generator.start(p.job(), cached -> channel.send(id, new RunnerMessages.Started(prompt, cached)));
        } catch (EngineException e) {
            p.job().failed().accept(e);
        } catch (RuntimeException e) {
            p.job().failed().accept(new EngineException(EngineException.Kind.RUNTIME, e.toString()));
        }
    }

    /** Marks a generation to stop; one still waiting ends at once, with nothing generated. */
    void stop(long id) {
        channel.markStopped(id);
        for (Pending p : waiting) {
            if (p.id() == id) {
                waiting.remove(p);
                channel.send(id, new RunnerResult(0, 0, 0, Generation.Finish.STOP, 0, 0, 0, null, null));
                return;
            }
        }
    }

    /**
     * Fails every generation not yet in a slot with {@code why} (the model goes): those waiting, those being
     * prepared (the preparation thread is let finish what it does first) and those prepared.
     */
    void failAll(EngineException why) {
        for (Pending p : waiting) {
            channel.fail(p.id(), why);
        }
        waiting.clear();
        try {
            preparer.cancelAndWait(why);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        List<Object> prepared = new ArrayList<>();
        channel.inbox.removeIf(o -> o instanceof Prepared && prepared.add(o));
        prepared.forEach(p -> fail((Prepared) p, why));
        reserved = 0;
    }

    /** Ends a prepared generation that will not start (its job's failure frees its sampler). */
    private void fail(Prepared p, EngineException why) {
        if (p.job() != null) {
            p.job().failed().accept(why);
        } else {
            channel.fail(p.pending().id(), p.failure() != null ? p.failure() : why);
        }
    }
}
