package io.modeld.copilot;

import io.modeld.ModeldException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * The conversations: read from memory, written through to the store first (a write that fails changes
 * nothing in memory either), and told to subscribers after each change, in order, under the same lock, so
 * a stream never announces a conversation before it can be read, nor after its first answer.
 */
public final class Conversations implements AutoCloseable {

    /** The longest name kept; longer ones are cut, as a title is. */
    public static final int MAX_NAME = 200;
    /** The longest message, in characters: 4 MiB of text is far past any local model's context. */
    public static final int MAX_TEXT = 4 << 20;

    private final ConversationStore store;
    private final Clock clock;
    private final Map<String, Conversation> byId = new LinkedHashMap<>();
    private final Map<String, Message> messages = new LinkedHashMap<>();
    private final List<Consumer<ConversationChange>> listeners = new CopyOnWriteArrayList<>();

    Conversations(ConversationStore store, Clock clock) {
        this.store = store;
        this.clock = clock;
        for (Conversation c : store.loadAll()) {
            byId.put(c.id(), c);
            c.messages().forEach(m -> messages.put(m.id(), m));
        }
    }

    /** The conversations kept in {@code dataDir}'s store, which {@link io.modeld.catalog.ModelStore#open} has migrated. */
    public static Conversations open(Path dataDir, Clock clock) {
        return new Conversations(ConversationStore.open(dataDir), clock);
    }

    /** Every conversation, the one changed last first. */
    public synchronized List<Conversation> list() {
        List<Conversation> all = new ArrayList<>(byId.values());
        all.sort(Comparator.comparing(Conversation::updated).thenComparing(Conversation::created).reversed());
        return all;
    }

    /** The conversation with this id; NOT_FOUND otherwise. */
    public synchronized Conversation get(String id) {
        Conversation c = id == null ? null : byId.get(id);
        if (c == null) {
            throw new ModeldException(ModeldException.Kind.NOT_FOUND, "conversation '" + id + "' not found");
        }
        return c;
    }

    /** The message with this id; NOT_FOUND otherwise. */
    public synchronized Message message(String id) {
        Message m = id == null ? null : messages.get(id);
        if (m == null) {
            throw new ModeldException(ModeldException.Kind.NOT_FOUND, "message '" + id + "' not found");
        }
        return m;
    }

    /** A new, empty conversation (a null or blank name: none yet). */
    public Conversation create(String name, String model) {
        Instant now = now();
        Conversation c = new Conversation(UUID.randomUUID().toString(), name(name), model, now, now, List.of());
        synchronized (this) {
            store.save(c, null);
            byId.put(c.id(), c);
            tell(new ConversationChange(c.id(), false));
        }
        return c;
    }

    /** The conversation with its new name. */
    public synchronized Conversation rename(String id, String name) {
        Conversation c = get(id);
        Conversation renamed = new Conversation(c.id(), name(name), c.model(), c.created(), now(), c.messages());
        store.save(renamed, null);
        byId.put(id, renamed);
        tell(new ConversationChange(id, false));
        return renamed;
    }

    /** Adds a message at the end of the conversation; an answer's model becomes the conversation's. */
    public synchronized Message append(String conversation, Role role, String text, String model) {
        if (text == null) {
            throw ModeldException.invalid("a message needs its text");
        }
        if (text.length() > MAX_TEXT) {
            throw new ModeldException(ModeldException.Kind.TOO_LARGE, "a message of " + text.length()
                    + " characters is longer than the " + MAX_TEXT + " kept");
        }
        Conversation c = get(conversation);
        Instant now = now();
        Message m = new Message(UUID.randomUUID().toString(), c.id(), c.messages().size(), role, text, model, now, now);
        List<Message> all = new ArrayList<>(c.messages());
        all.add(m);
        Conversation next = new Conversation(c.id(), c.name(), model != null ? model : c.model(), c.created(), now, all);
        store.save(next, m);
        byId.put(c.id(), next);
        messages.put(m.id(), m);
        tell(new ConversationChange(c.id(), false));
        return m;
    }

    /** Deletes the conversation and its messages; NOT_FOUND when there is none. */
    public synchronized void delete(String id) {
        Conversation c = get(id);
        store.delete(id);
        byId.remove(id);
        c.messages().forEach(m -> messages.remove(m.id()));
        tell(new ConversationChange(id, true));
    }

    /**
     * Calls {@code listener} after every change, under the lock changes are made under; {@code now} runs
     * under that lock first, so what it reads and what the listener is told next never overlap or miss.
     */
    public synchronized AutoCloseable subscribe(Consumer<List<Conversation>> now, Consumer<ConversationChange> listener) {
        now.accept(list());
        listeners.add(listener);
        return () -> listeners.remove(listener);
    }

    private void tell(ConversationChange change) {
        listeners.forEach(l -> l.accept(change));
    }

    private Instant now() {
        return clock.instant().truncatedTo(ChronoUnit.MILLIS);
    }

    private static String name(String name) {
        if (name == null || name.isBlank()) {
            return null;
        }
        String oneLine = name.strip().replaceAll("\\s+", " ");
        return oneLine.length() <= MAX_NAME ? oneLine : oneLine.substring(0, MAX_NAME - 1) + "…";
    }

    @Override
    public void close() {
        store.close();
    }
}
