package io.modeld.runtime;

import io.modeld.ModeldException;
import io.modeld.gguf.ModelRole;
import java.util.List;

/**
 * The right to use a loaded model until closed: the model is neither evicted nor expired meanwhile.
 * Taken by {@link Scheduler#lease} under the lock eviction and the keep-alive sweep read. Generation
 * takes one of the model's turns (as many at once as it has slots; {@value #MAX_WAITING} more may wait,
 * beyond that BUSY).
 */
public final class Lease implements AutoCloseable {

    /** Requests that may wait for a model's turn; beyond that a request is refused as BUSY (503). */
    static final int MAX_WAITING = 8;

    private final Scheduler scheduler;
    final Resident resident;
    private final long loadNanos;
    private boolean closed;

    Lease(Scheduler scheduler, Resident resident, long loadNanos) {
        this.scheduler = scheduler;
        this.resident = resident;
        this.loadNanos = loadNanos;
    }

    /** How long the request waited for the model to load (0 when it was loaded already). */
    public long loadNanos() {
        return loadNanos;
    }

    public ModelRole role() {
        return resident.role;
    }

    /** The context the model was loaded with, in tokens. */
    public int context() {
        return resident.context;
    }

    /**
     * Generates in the model's turn, giving {@code out} the answer, reasoning and tool calls as they come;
     * BUSY when too many requests wait already. The result counts tokens as the tokenizer does; its load
     * time is this lease's.
     */
    public RunnerResult generate(RunnerRequest request, GenerationOutput out) {
        takeTurn();
        try {
            RunnerResult g = resident.runner.generate(request, out);
            if (g.cache() != null) {
                resident.cache = g.cache();
            }
            if (g.drafts() != null) {
                resident.drafts = g.drafts();
            }
            scheduler.generated(resident.id, g);
            return g.withLoad(loadNanos);
        } catch (RunnerFailure e) {
            throw e.toApi();
        } finally {
            resident.turn.release();
        }
    }

    /**
     * The prompt the model's chat template makes of {@code chat}, in the model's turn like any request (a
     * template can take long: renders must queue, and be refused as BUSY, like generations).
     */
    public RenderedPrompt render(io.modeld.engine.ChatRequest chat, boolean count) {
        takeTurn();
        try {
            return resident.runner.render(chat, count);
        } catch (RunnerFailure e) {
            throw e.toApi();
        } finally {
            resident.turn.release();
        }
    }

    /** llama-server's slot API, in the model's turn like any request (a slot acted on must be idle). */
    public ModelRunner.Slots slots(String action, int slot, java.nio.file.Path file) {
        takeTurn();
        try {
            return resident.runner.slots(action, slot, file);
        } catch (RunnerFailure e) {
            throw e.toApi();
        } finally {
            resident.turn.release();
        }
    }

    /** Tokens of {@code content}, or the text of {@code tokens}, in the model's turn like any request. */
    public TokenText tokenize(String content, boolean addSpecial, boolean parseSpecial, int[] tokens) {
        takeTurn();
        try {
            return resident.runner.tokenize(content, addSpecial, parseSpecial, tokens);
        } catch (RunnerFailure e) {
            throw e.toApi();
        } finally {
            resident.turn.release();
        }
    }

    /** Pooled vectors of the inputs (or, with a query, rerank scores of the documents), in the model's turn. */
    public ModelRunner.Pooled pool(String query, List<String> inputs, List<int[]> tokens, boolean truncate) {
        takeTurn();
        try {
            return resident.runner.pool(query, inputs, tokens, truncate);
        } catch (RunnerFailure e) {
            throw e.toApi();
        } finally {
            resident.turn.release();
        }
    }

    private void takeTurn() {
        if (resident.turn.getQueueLength() >= MAX_WAITING) {
            throw new ModeldException(ModeldException.Kind.BUSY, "the model is busy with " + MAX_WAITING
                    + " requests waiting; try again shortly");
        }
        resident.turn.acquireUninterruptibly();
    }

    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        scheduler.release(this);
    }
}
