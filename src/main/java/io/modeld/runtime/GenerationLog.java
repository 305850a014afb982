package io.modeld.runtime;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;

/** The last {@value #KEPT} generations that finished, for pictures of tokens per second. */
public final class GenerationLog {

    static final int KEPT = 200;

    /** One generation: its model, when it ended (epoch ms), the tokens it made and how long that took. */
    public record Entry(String model, long endedAt, int tokens, long nanos) {
        public double tokensPerSecond() {
            return nanos <= 0 ? 0 : tokens / (nanos / 1e9);
        }
    }

    private final Deque<Entry> entries = new ArrayDeque<>();

    synchronized void add(String model, int tokens, long nanos) {
        entries.addLast(new Entry(model, System.currentTimeMillis(), tokens, nanos));
        while (entries.size() > KEPT) {
            entries.removeFirst();
        }
    }

    /** Oldest first. */
    public synchronized List<Entry> recent() {
        return List.copyOf(entries);
    }
}
