package io.modeld.runtime;

import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.LongPredicate;

/**
 * Deadlines on a runner's steps. Each working thread of the runner (a lane: the decode loop, the preparation
 * of requests) says which step it is in; a watchdog thread looks ten times a second. A decode past its
 * deadline, or whose clients have all left, is aborted midway (llama.cpp asks between graph nodes); any other
 * step past its deadline (rendering a template, tokenizing, building a grammar, sampling one token: native
 * work nothing can interrupt) ends the runner: the requests in it are told why, the process halts, and the
 * daemon loads the model again in a new runner for the next request. Without this, one step that never
 * returns held the model, every request queued on it, and through them the daemon's threads (issue 29: a
 * 4.4 KB nested response format took 8.6 s a token, a looping template for ever).
 */
final class StepWatch {

    /** How often the watchdog looks. */
    static final long TICK_MILLIS = 100;
    /** How long an aborted decode may take to notice before the runner is ended instead. */
    private static final long ABORT_GRACE_NANOS = TimeUnit.SECONDS.toNanos(5);
    /** How often a lane busy with one step tells the daemon the runner is alive. */
    private static final long BEAT_NANOS = TimeUnit.SECONDS.toNanos(5);

    /**
     * A step: what it does (words for the error), the requests it works for, when it began, its deadline,
     * and the decode's number when it is an abortable decode (else 0).
     */
    record Step(String what, long[] ids, long started, long limit, long decode) {
    }

    /** What the watchdog does with a step past its deadline. */
    interface Actions {
        /** Aborts decode {@code step.decode()}; false when it cannot be aborted. */
        boolean abort(Step step, String reason);

        /** Ends the runner, telling every request in it why (those of {@code step} first). */
        void expire(Step step, String reason);

        /** Tells the daemon the runner lives (a long step is no hang). */
        void beat();

        /** Every tick: sends what waits to be sent, though a long step holds up the loop that sends it. */
        default void tick() {
        }
    }

    /** One working thread's current step. */
    static final class Lane {
        private volatile Step step;

        /** A step of {@code what} for the requests {@code ids}, due within {@code limitNanos}. */
        void begin(String what, long limitNanos, long... ids) {
            step = new Step(what, ids, System.nanoTime(), limitNanos, 0);
        }

        /** An abortable decode, number {@code decode}. */
        void decoding(long decode, long limitNanos, long[] ids) {
            step = new Step("decoding", ids, System.nanoTime(), limitNanos, decode);
        }

        void end() {
            step = null;
        }

        Step step() {
            return step;
        }
    }

    private final List<Lane> lanes;
    private final LongPredicate stopped;
    private final Actions actions;
    private Step aborting;
    private long abortedAt;
    private long lastBeat;

    /** @param stopped whether the client of a request left */
    StepWatch(List<Lane> lanes, LongPredicate stopped, Actions actions) {
        this.lanes = lanes;
        this.stopped = stopped;
        this.actions = actions;
    }

    /** Starts the watchdog thread. */
    void start() {
        Thread t = new Thread(() -> {
            while (true) {
                try {
                    Thread.sleep(TICK_MILLIS);
                } catch (InterruptedException e) {
                    return;
                }
                check(System.nanoTime());
            }
        }, "runner-watchdog");
        t.setDaemon(true);
        t.start();
    }

    /** One look at every lane at {@code now}. */
    void check(long now) {
        boolean busy = false;
        for (Lane lane : lanes) {
            Step s = lane.step();
            if (s == null) {
                continue;
            }
            busy |= now - s.started() > BEAT_NANOS;
            long ran = now - s.started();
            if (s.decode() > 0 && s == aborting) {
                if (now - abortedAt > ABORT_GRACE_NANOS) {
                    actions.expire(s, "did not stop " + seconds(ABORT_GRACE_NANOS) + " s after it was aborted");
                }
            } else if (ran > s.limit()) {
                String reason = "took more than " + seconds(s.limit()) + " s " + s.what()
                        + " (the limit of one step, --step-timeout)";
                if (s.decode() > 0 && actions.abort(s, reason)) {
                    aborting = s;
                    abortedAt = now;
                } else {
                    actions.expire(s, reason);
                }
            } else if (s.decode() > 0 && allStopped(s.ids()) && actions.abort(s, "stopped")) {
                aborting = s;
                abortedAt = now;
            }
        }
        if (busy && now - lastBeat > BEAT_NANOS) {
            lastBeat = now;
            actions.beat();
        }
        actions.tick();
    }

    private boolean allStopped(long[] ids) {
        if (ids.length == 0) {
            return false;
        }
        for (long id : ids) {
            if (!stopped.test(id)) {
                return false;
            }
        }
        return true;
    }

    private static String seconds(long nanos) {
        double s = nanos / 1e9;
        return s == Math.rint(s) ? String.valueOf((long) s) : String.format(java.util.Locale.ROOT, "%.1f", s);
    }
}
