package io.modeld.catalog;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiConsumer;

/**
 * Writes the changes of many concurrent requests in one transaction (group commit). Every commit
 * forces the disk (SQLite {@code synchronous=FULL}), which takes milliseconds; one commit per request
 * queued 64 clients behind each other. Now a request stages its change, then waits until it is in
 * the store: the first waiter writes everything staged so far, and those staged meanwhile go in the
 * next transaction. A change is published (readable, announced) only once its transaction is on disk.
 *
 * <p>Staging happens under the owner's write lock, in the order the changes were validated; a failed
 * transaction fails every change not yet written and hands the owner back its last published state.
 */
final class GroupCommit {

    /** One staged change and the state of all models after it. */
    static final class Ticket {
        private final ModelRecord upsert;
        private final ModelRecord deletion;
        private final ModelSnapshot after;
        private volatile boolean written;
        private volatile RuntimeException failure;

        private Ticket(ModelRecord upsert, ModelRecord deletion, ModelSnapshot after) {
            this.upsert = upsert;
            this.deletion = deletion;
            this.after = after;
        }
    }

    private final ModelStore store;
    private final Object writeLock;
    private final BiConsumer<ModelSnapshot, List<ModelChange>> published;
    private final Runnable rolledBack;
    /** Guards {@code flushing}; waiters sleep on it until a transaction ends. */
    private final Object monitor = new Object();
    private boolean flushing;
    private final List<Ticket> staged = new ArrayList<>();
    private Ticket last;

    /**
     * {@code published} makes a written state readable and announces its changes (called in commit
     * order); {@code rolledBack} runs under the write lock when a transaction failed: the staged state
     * is void and the owner goes back to the last published one.
     */
    GroupCommit(ModelStore store, Object writeLock, BiConsumer<ModelSnapshot, List<ModelChange>> published,
                Runnable rolledBack) {
        this.store = store;
        this.writeLock = writeLock;
        this.published = published;
        this.rolledBack = rolledBack;
    }

    /** Queues a change whose result is {@code after}. The caller holds the write lock. */
    Ticket stage(ModelRecord upsert, ModelRecord deletion, ModelSnapshot after) {
        last = new Ticket(upsert, deletion, after);
        staged.add(last);
        return last;
    }

    /** The last change staged, or null: what an answer computed from the staged state must wait for. Under the write lock. */
    Ticket last() {
        return last;
    }

    /**
     * Returns once the change is in the store and published; throws if its transaction failed. While
     * a transaction is being written the caller waits; when none is, it writes one itself, holding
     * everything staged by then (its own change included).
     */
    void await(Ticket ticket) {
        if (ticket == null) {
            return;
        }
        while (!ticket.written) {
            synchronized (monitor) {
                while (flushing && !ticket.written) {
                    try {
                        monitor.wait();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new IllegalStateException("interrupted while the models were being saved", e);
                    }
                }
                if (ticket.written) {
                    break;
                }
                flushing = true;
            }
            try {
                flush();
            } finally {
                synchronized (monitor) {
                    flushing = false;
                    monitor.notifyAll();
                }
            }
        }
        if (ticket.failure != null) {
            throw ticket.failure;
        }
    }

    /** Writes everything staged in one transaction. Only one thread at a time, the one that set {@code flushing}. */
    private void flush() {
        List<Ticket> batch;
        synchronized (writeLock) {
            batch = new ArrayList<>(staged);
            staged.clear();
        }
        Map<String, ModelRecord> upserts = new LinkedHashMap<>();
        Set<String> deletions = new LinkedHashSet<>();
        List<ModelChange> changes = new ArrayList<>();
        for (Ticket t : batch) {
            if (t.deletion != null) {
                upserts.remove(t.deletion.id());
                deletions.add(t.deletion.id());
                changes.add(new ModelChange(t.deletion.id(), true));
            }
            if (t.upsert != null) {
                deletions.remove(t.upsert.id());
                upserts.put(t.upsert.id(), t.upsert);
                changes.add(new ModelChange(t.upsert.id(), false));
            }
        }
        try {
            store.write(upserts.values(), deletions);
        } catch (RuntimeException e) {
            synchronized (writeLock) {
                batch.addAll(staged);
                staged.clear();
                last = null;
                rolledBack.run();
            }
            batch.forEach(t -> {
                t.failure = e;
                t.written = true;   // last: a waiter that sees it must also see the failure
            });
            return;
        }
        if (!batch.isEmpty()) {
            published.accept(batch.get(batch.size() - 1).after, changes);
        }
        // Only now: a waiter that sees its change written returns at once and must find it readable.
        batch.forEach(t -> t.written = true);
    }
}
