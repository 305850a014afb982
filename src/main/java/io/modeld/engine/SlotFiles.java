package io.modeld.engine;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * llama-server's slot API on a {@link Generator}'s slots, for tools that save a conversation's KV state and put
 * it back later: each slot's state, and save, restore or erase of an idle one. A saved slot is a prompt-cache file
 * ({@link PromptFiles}: whole or not at all, checksummed, of this model file and settings). Used by the
 * generator's thread, between two decodes.
 */
public final class SlotFiles {

    private final Generator owner;
    private final Slot[] slots;
    private final String key;

    SlotFiles(Generator owner, Slot[] slots, String key) {
        this.owner = owner;
        this.slots = slots;
        this.key = key;
    }

    /** One slot as llama-server's {@code GET /slots} shows it: its context, whether it generates, what it holds. */
    public record SlotState(int id, int context, boolean busy, int cachedTokens) {
    }

    public List<SlotState> states() {
        List<SlotState> out = new ArrayList<>();
        for (Slot s : slots) {
            out.add(new SlotState(s.seq, owner.slotContext, s.job != null, s.cachedLength));
        }
        return out;
    }

    /**
     * Writes what slot {@code id} holds (its tokens and KV state) to {@code file}, whole or not at all, as the
     * prompt cache's disk tier writes (llama-server's {@code action=save}); returns {tokens, bytes written}.
     */
    public long[] save(int id, java.nio.file.Path file) throws EngineException {
        Slot s = idle(id);
        if (s.cachedLength == 0) {
            throw new EngineException(EngineException.Kind.INPUT, "slot " + id + " holds nothing to save");
        }
        com.sun.jna.Memory state = owner.ctx.saveSequence(s.seq);
        if (state == null) {
            throw new EngineException(EngineException.Kind.RUNTIME, "llama.cpp could not copy slot " + id);
        }
        try {
            PromptFiles.writeFile(file, key, Arrays.copyOf(s.cached, s.cachedLength), state, state.size());
            return new long[] {s.cachedLength, java.nio.file.Files.size(file)};
        } catch (java.io.IOException e) {
            throw new EngineException(EngineException.Kind.RUNTIME, "could not write " + file.getFileName() + ": "
                    + e.getMessage());
        } finally {
            state.close();
        }
    }

    /**
     * Puts what {@code file} holds into slot {@code id} (llama-server's {@code action=restore}), once it is read
     * whole and checked; INPUT naming why when it is cut short, changed, or of another model file or setting.
     * Returns {tokens restored, bytes read}.
     */
    public long[] restore(int id, java.nio.file.Path file) throws EngineException {
        Slot s = idle(id);
        PromptFiles.Loaded loaded;
        try {
            loaded = PromptFiles.readFile(file, key);
        } catch (java.nio.file.NoSuchFileException e) {
            throw new EngineException(EngineException.Kind.INPUT, "there is no saved slot " + file.getFileName());
        } catch (java.io.IOException e) {
            throw new EngineException(EngineException.Kind.INPUT, "cannot restore " + file.getFileName() + ": "
                    + e.getMessage());
        }
        try {
            if (loaded.tokens().length >= owner.slotContext) {
                throw new EngineException(EngineException.Kind.INPUT, file.getFileName() + " holds "
                        + loaded.tokens().length + " tokens, more than a slot's context of " + owner.slotContext);
            }
            boolean ok = owner.ctx.restoreSequence(s.seq, loaded.state(), loaded.stateSize());
            s.cached = ok ? loaded.tokens() : new int[0];
            s.cachedLength = ok ? loaded.tokens().length : 0;
            if (!ok) {
                throw new EngineException(EngineException.Kind.INPUT, "llama.cpp refused the state in "
                        + file.getFileName());
            }
            return new long[] {s.cachedLength, loaded.stateSize()};
        } finally {
            loaded.state().close();
        }
    }

    /** Forgets what slot {@code id} holds (llama-server's {@code action=erase}); returns how many tokens. */
    public int erase(int id) throws EngineException {
        Slot s = idle(id);
        int n = s.cachedLength;
        owner.ctx.forgetFrom(s.seq, 0);
        s.cachedLength = 0;
        return n;
    }

    private Slot idle(int id) throws EngineException {
        if (id < 0 || id >= slots.length) {
            throw new EngineException(EngineException.Kind.INPUT, "there is no slot " + id + ": the model has "
                    + slots.length + " (0 to " + (slots.length - 1) + ")");
        }
        if (slots[id].job != null) {
            throw new EngineException(EngineException.Kind.INPUT, "slot " + id + " is busy: try again when its "
                    + "generation ends");
        }
        return slots[id];
    }
}
