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
 * The conversations: what they are (names, models, times, which messages) read from memory, the messages'
 * texts from the store when asked, every change written to the store first (a write that fails changes
 * nothing in memory either), and told to subscribers after each change, in order, under the same lock, so
 * a stream never announces a conversation before it can be read, nor after its first answer. Bounded: a
 * message's length, the messages of a conversation, and all texts together (480 messages of 1 MB filled the
 * heap when the texts lived there, and did again after every restart).
 */
public final class Conversations implements AutoCloseable {

    /** The longest name kept; longer ones are cut, as a title is. */
    public static final int MAX_NAME = 200;
    /** The longest message, in characters: as much as one request body holds, past most local contexts. */
    public static final int MAX_TEXT = 1 << 20;
    /** The most messages one conversation keeps. */
    public static final int MAX_MESSAGES = 4096;
    /** The most characters all messages together keep. */
    static final long MAX_TOTAL_TEXT = 256L << 20;

    private final ConversationStore store;
    private final Clock clock;
    private final long maxTotal;
    private final int maxMessages;
    private final Map<String, Conversation> byId = new LinkedHashMap<>();
    private final List<Consumer<ConversationChange>> listeners = new CopyOnWriteArrayList<>();
    /** Characters of every message's text together. */
    private long totalText;

    Conversations(ConversationStore store, Clock clock, long maxTotal, int maxMessages) {
        this.store = store;
        this.clock = clock;
        this.maxTotal = maxTotal;
        this.maxMessages = maxMessages;
        for (Conversation c : store.loadAll()) {
            byId.put(c.id(), c);
        }
        totalText = store.totalText();
    }

    /** The conversations kept in {@code dataDir}'s store, which {@link io.modeld.catalog.ModelStore#open} has migrated. */
    public static Conversations open(Path dataDir, Clock clock) {
        return new Conversations(ConversationStore.open(dataDir), clock, MAX_TOTAL_TEXT, MAX_MESSAGES);
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

    /** The message with this id, its text read from the store; NOT_FOUND otherwise. */
    public synchronized Message message(String id) {
        Message m = id == null ? null : store.message(id);
        if (m == null) {
            throw new ModeldException(ModeldException.Kind.NOT_FOUND, "message '" + id + "' not found");
        }
        return m;
    }

    /** The messages of a conversation in order, with their texts; NOT_FOUND when there is no such conversation. */
    public synchronized List<Message> history(String conversation) {
        get(conversation);
        return store.messagesOf(conversation);
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

    /**
     * Adds a message at the end of the conversation; an answer's model becomes the conversation's. TOO_LARGE
     * for a message or a conversation past its bound, INSUFFICIENT_STORAGE when all texts together would be.
     */
    public synchronized Message append(String conversation, Role role, String text, String model) {
        if (text == null) {
            throw ModeldException.invalid("a message needs its text");
        }
        if (text.length() > MAX_TEXT) {
            throw new ModeldException(ModeldException.Kind.TOO_LARGE, "a message of " + text.length()
                    + " characters is longer than the " + MAX_TEXT + " kept");
        }
        Conversation c = get(conversation);
        if (c.messages().size() >= maxMessages) {
            throw new ModeldException(ModeldException.Kind.TOO_LARGE, "conversation '" + c.id() + "' has "
                    + c.messages().size() + " messages, the most one keeps; start a new conversation");
        }
        if (totalText + text.length() > maxTotal) {
            throw new ModeldException(ModeldException.Kind.INSUFFICIENT_STORAGE, "the conversations keep " + totalText
                    + " characters, and this message of " + text.length() + " would pass the " + maxTotal
                    + " they may; delete conversations to make room");
        }
        Instant now = now();
        Message m = new Message(UUID.randomUUID().toString(), c.id(), c.messages().size(), role, text, model, now, now);
        List<String> all = new ArrayList<>(c.messages());
        all.add(m.id());
        Conversation next = new Conversation(c.id(), c.name(), model != null ? model : c.model(), c.created(), now, all);
        store.save(next, m);
        byId.put(c.id(), next);
        totalText += text.length();
        tell(new ConversationChange(c.id(), false));
        return m;
    }

    /** Deletes the conversation and its messages; NOT_FOUND when there is none. */
    public synchronized void delete(String id) {
        get(id);
        store.delete(id);
        byId.remove(id);
        totalText = store.totalText();
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
