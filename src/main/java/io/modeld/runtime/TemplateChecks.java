package io.modeld.runtime;

import java.util.Map;

/**
 * What a chat template can do, as llama.cpp's chat layer reads it: in a runner of its own (started for the
 * check, ended after), one template at a time, its memory counted in the budget ({@link #CHECK_BYTES}; a check
 * evicts no model, and with no room it is INSUFFICIENT_STORAGE) and limited to that ({@code setrlimit}), its
 * time to a step's deadline. Such a template looped or grew for ever in the spare runner before, outside the
 * budget (400 MB/s, issue 29).
 */
final class TemplateChecks {

    /** Memory a template check may use, counted in the budget while it runs. */
    static final long CHECK_BYTES = 256L << 20;
    private static final String KEY = "template-check";

    private final Scheduler scheduler;
    private final RunnerFactory factory;

    TemplateChecks(Scheduler scheduler, RunnerFactory factory) {
        this.scheduler = scheduler;
        this.factory = factory;
    }

    /**
     * The template's capabilities; a DEADLINE failure naming the limit when reading it broke one (its time, or
     * its memory).
     */
    synchronized Map<String, Object> read(String template, String bos, String eos) throws RunnerFailure {
        if (!scheduler.reserveIfFits(KEY, CHECK_BYTES)) {
            throw scheduler.insufficient("a chat template's check", CHECK_BYTES);
        }
        ModelRunner runner = null;
        try {
            runner = factory.startChecker();
            return runner.caps(template, bos, eos, CHECK_BYTES);
        } catch (RunnerFailure e) {
            if (e.kind() == RunnerFailure.Kind.DIED || e.getMessage().contains("bad_alloc")) {
                throw new RunnerFailure(RunnerFailure.Kind.DEADLINE, "reading it needed more than the "
                        + (CHECK_BYTES >> 20) + " MB of memory a check may take (" + e.getMessage() + ")");
            }
            if (e.kind() == RunnerFailure.Kind.DEADLINE) {
                // the runner's words, without what they say of a model it does not hold
                throw new RunnerFailure(e.kind(), e.getMessage().split(";")[0].replaceFirst("^the model ", ""));
            }
            throw e;
        } finally {
            if (runner != null) {
                runner.close();
            }
            scheduler.unreserve(KEY);
        }
    }
}
