package io.modeld.engine;

import com.sun.jna.Memory;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;

/**
 * Prompts kept behind a {@link Generator}'s slots, as llama-server's prompt cache keeps them: when a slot is
 * about to be given to a prompt that does not continue what it holds, the KV state of its sequence
 * ({@code llama_state_seq_get_data}) comes here, keyed by its tokens; a prompt that shares a longer prefix with
 * an entry than with any free slot has that state put back into a slot ({@code llama_state_seq_set_data}) and
 * evaluates only the rest. An agent sends its whole conversation every turn, and between its turns come other
 * sessions, sub-agents and title requests: with more sessions than slots, a slot alone forgets.
 *
 * <p>Two tiers. RAM: entries in native memory, least recently used first out past {@link Settings#ramBytes}
 * (charged to the memory budget with the model). Disk ({@link PromptFiles}): when the model unloads (keep-alive,
 * eviction, shutdown) the RAM entries and the slots' contents are written to the data dir, and found again on the
 * next load of the same file with the same settings, across restarts. An entry whose tokens lead another's is
 * dropped for it (one state holds both); the engine cannot share a prefix between two states, so two prompts
 * that part after a shared system prompt are two entries. Used by the generator's thread;
 * {@link #stats} from any.
 */
public final class PromptCache implements AutoCloseable {

    /** Shorter prefixes are evaluated again: copying a state costs more than evaluating a few tokens. */
    static final int MIN_TOKENS = 32;

    /**
     * @param ramBytes the RAM tier's bound (0: no cache at all); no entry is larger
     * @param diskBytes the disk tier's bound, every model's files together (0: no disk tier)
     * @param dir the disk tier's root (in the data dir), or null
     * @param key what a state is valid for: the model file, the slot's context, the KV cache's settings
     */
    public record Settings(long ramBytes, long diskBytes, String dir, String key) {

        public static final Settings NONE = new Settings(0, 0, null, null);
    }

    /** What the cache holds and how it served, as {@code /memory} shows it. */
    public record Stats(long ramBytes, long ramLimit, int ramEntries, long diskBytes, int diskEntries, long hits,
                        long misses, long restoredTokens) {

        public static final Stats NONE = new Stats(0, 0, 0, 0, 0, 0, 0, 0);
    }

    /** A state found for a prompt: its tokens, how many lead the prompt, the state; {@link #close} frees a copy. */
    static final class Hit implements AutoCloseable {
        final int[] tokens;
        final int shared;
        final Memory state;
        final long size;
        private final boolean owned;

        Hit(int[] tokens, int shared, Memory state, long size, boolean owned) {
            this.tokens = tokens;
            this.shared = shared;
            this.state = state;
            this.size = size;
            this.owned = owned;
        }

        @Override
        public void close() {
            if (owned) {
                state.close();
            }
        }
    }

    /** A RAM entry; {@code kept}: a conversation a client comes back to, evicted after every other. */
    private record Entry(int[] tokens, Memory state, long size, boolean kept) {
    }

    private final Settings settings;
    private final LinkedHashMap<Entry, Entry> ram = new LinkedHashMap<>(16, 0.75f, true);
    private final PromptFiles disk;
    private long ramBytes;
    private long hits;
    private long misses;
    private long restored;
    private volatile Stats stats;

    private PromptCache(Settings settings, PromptFiles disk) {
        this.settings = settings;
        this.disk = disk;
        publish();
    }

    /** The cache for {@code settings}, its disk tier opened (or none when it cannot be: a read-only data dir). */
    static PromptCache open(Settings settings) {
        PromptFiles disk = null;
        if (settings.ramBytes() > 0 && settings.diskBytes() > 0 && settings.dir() != null) {
            try {
                disk = PromptFiles.open(Path.of(settings.dir()), settings.key(), settings.diskBytes());
            } catch (IOException e) {
                disk = null;
            }
        }
        return new PromptCache(settings, disk);
    }

    boolean enabled() {
        return settings.ramBytes() > 0;
    }

    /** What a state is valid for (a slot saved to a file carries it too); a fixed word without settings. */
    String key() {
        return settings.key() == null ? "unkeyed" : settings.key();
    }

    /**
     * The state sharing the longest prefix with {@code prompt}, when that is more than {@code atLeast} (what the
     * best free slot holds) by {@link #MIN_TOKENS} or more; null otherwise. From disk it is read whole and checked
     * first (a file that fails is removed, and this is a miss).
     */
    Hit find(int[] prompt, int atLeast) {
        Entry best = null;
        int bestShared = atLeast + MIN_TOKENS - 1;
        for (Entry e : ram.keySet()) {
            int shared = common(e.tokens, prompt);
            if (shared > bestShared) {
                best = e;
                bestShared = shared;
            }
        }
        PromptFiles.Stored fromDisk = null;
        if (disk != null) {
            for (PromptFiles.Stored s : disk.stored()) {
                int shared = common(s.tokens(), prompt);
                if (shared > bestShared) {
                    fromDisk = s;
                    bestShared = shared;
                }
            }
        }
        Hit hit = null;
        if (fromDisk != null && fromDisk.stateSize() <= settings.ramBytes()) {
            Memory state = disk.read(fromDisk);
            if (state != null) {
                hit = new Hit(fromDisk.tokens(), bestShared, state, fromDisk.stateSize(), true);
            }
        } else if (best != null) {
            ram.get(best);   // most recently used
            hit = new Hit(best.tokens, bestShared, best.state, best.size, false);
        }
        if (hit == null) {
            misses++;
        } else {
            hits++;
            restored += hit.shared;
        }
        publish();
        return hit;
    }

    /**
     * Keeps {@code state} ({@code tokens}' KV, which it then owns) in RAM, unless an entry already holds all of
     * {@code tokens}; entries that only hold a prefix of them go. Past the bound, the least recently used go, those
     * of conversations clients come back to ({@code kept}: Pieces conversations, stored responses) after all others.
     */
    void keep(int[] tokens, Memory state, boolean kept) {
        long size = state.size();
        if (tokens.length < MIN_TOKENS || size > settings.ramBytes()) {
            state.close();
            return;
        }
        for (Iterator<Entry> it = ram.keySet().iterator(); it.hasNext(); ) {
            Entry e = it.next();
            if (e.tokens.length >= tokens.length && common(e.tokens, tokens) == tokens.length) {
                state.close();
                return;
            }
            if (common(e.tokens, tokens) == e.tokens.length) {
                it.remove();
                free(e);
                kept |= e.kept;
            }
        }
        Entry e = new Entry(tokens, state, size, kept);
        ram.put(e, e);
        ramBytes += size;
        for (boolean evictKept : new boolean[] {false, true}) {
            for (Iterator<Entry> it = ram.keySet().iterator(); ramBytes > settings.ramBytes() && it.hasNext(); ) {
                Entry old = it.next();
                if (old.kept == evictKept && old != e) {
                    it.remove();
                    free(old);
                }
            }
        }
        if (ramBytes > settings.ramBytes()) {   // alone it is over the bound
            ram.remove(e);
            free(e);
        }
        publish();
    }

    /** Writes the RAM entries to the disk tier (when there is one), the most recently used last. */
    void persist() {
        if (disk == null) {
            return;
        }
        for (Entry e : new ArrayList<>(ram.keySet())) {
            disk.write(e.tokens, e.state, e.size, e.kept);
        }
        publish();
    }

    /** Writes {@code state} of {@code tokens} to the disk tier (a slot's content at unload), then frees it. */
    void persist(int[] tokens, Memory state, boolean kept) {
        try {
            if (disk != null && tokens.length >= MIN_TOKENS && state.size() <= settings.ramBytes()) {
                disk.write(tokens, state, state.size(), kept);
            }
        } finally {
            state.close();
        }
        publish();
    }

    Stats stats() {
        return stats;
    }

    private void publish() {
        stats = new Stats(ramBytes, settings.ramBytes(), ram.size(), disk == null ? 0 : disk.bytes(),
                disk == null ? 0 : disk.stored().size(), hits, misses, restored);
    }

    private void free(Entry e) {
        ramBytes -= e.size;
        e.state.close();
    }

    static int common(int[] a, int[] b) {
        int n = Math.min(a.length, b.length);
        int i = 0;
        while (i < n && a[i] == b[i]) {
            i++;
        }
        return i;
    }

    @Override
    public void close() {
        for (Entry e : ram.keySet()) {
            e.state.close();
        }
        ram.clear();
        ramBytes = 0;
        publish();
    }
}
