package io.modeld.engine;

import com.sun.jna.Pointer;
import java.util.List;

/**
 * A prompt with images or audio in it, as libmtmd splits it: its tokens, where each media item stands a run of
 * placeholder tokens (negative, so no real token equals one) made from a hash of the item's bytes, and the items
 * themselves. Two prompts with the same item at the same place thus share the prefix through it, and the prompt
 * cache and the slots reuse it as they reuse text; a different item differs at its first placeholder. On a model
 * that gives a media item fewer positions than embeddings (Qwen-VL's M-RoPE), the text after it takes the positions
 * libmtmd gives it ({@link #position}). Owns libmtmd's chunks until closed.
 */
public final class MediaPrompt implements AutoCloseable {

    /** One media item: where it starts in {@link #tokens}, how many embeddings and positions it takes. */
    record Item(int start, int tokens, int positions, Pointer chunk) {
        int end() {
            return start + tokens;
        }
    }

    private final Projector projector;
    private Pointer chunks;
    final int[] tokens;
    final List<Item> items;

    MediaPrompt(Projector projector, Pointer chunks, int[] tokens, List<Item> items) {
        this.projector = projector;
        this.chunks = chunks;
        this.tokens = tokens;
        this.items = List.copyOf(items);
    }

    /** The prompt's tokens, placeholders where media stands. */
    public int[] tokens() {
        return tokens;
    }

    /** How many media items it holds. */
    public int count() {
        return items.size();
    }

    Projector projector() {
        return projector;
    }

    /** Whether its last token is a media item's: no text after it, whose logits the first token would come from. */
    boolean endsWithMedia() {
        return !items.isEmpty() && items.get(items.size() - 1).end() == tokens.length;
    }

    /** The item starting at {@code index}, or null. */
    Item at(int index) {
        for (Item i : items) {
            if (i.start() == index) {
                return i;
            }
        }
        return null;
    }

    /** Where the next item at or after {@code index} starts: the end of the text from there. */
    int textEnd(int index) {
        for (Item i : items) {
            if (i.start() >= index) {
                return i.start();
            }
        }
        return tokens.length;
    }

    /** {@code reuse} moved back to the start of the item it falls inside: a media item is in the cache whole or not at all. */
    int snap(int reuse) {
        for (Item i : items) {
            if (i.start() < reuse && reuse < i.end()) {
                return i.start();
            }
        }
        return reuse;
    }

    /** The position of token {@code index} in the model's sequence. */
    int position(int index) {
        int pos = index;
        for (Item i : items) {
            if (i.end() <= index) {
                pos -= i.tokens() - i.positions();
            }
        }
        return pos;
    }

    /** The placeholder tokens of an item whose bytes hash to {@code id}: negative, and different at each place. */
    static int[] placeholders(String id, int count) {
        long h = 0;
        for (int i = 0; id != null && i < id.length(); i++) {
            h = h * 31 + id.charAt(i);
        }
        int[] out = new int[count];
        for (int i = 0; i < count; i++) {
            long z = h + (i + 1) * 0x9E3779B97F4A7C15L;
            z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
            z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
            z ^= z >>> 31;
            out[i] = -1 - (int) (z & 0x3FFFFFFF);
        }
        return out;
    }

    @Override
    public void close() {
        if (chunks != null) {
            projector.free(chunks);
            chunks = null;
        }
    }
}
