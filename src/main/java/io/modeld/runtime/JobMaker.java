package io.modeld.runtime;

import io.modeld.engine.ChatRequest;
import io.modeld.engine.EngineException;
import io.modeld.engine.Generation;
import io.modeld.engine.LlamaEngine;
import io.modeld.engine.LlamaModel;
import io.modeld.engine.OutputSplitter;
import io.modeld.engine.Sampling;
import io.modeld.engine.TemplatedChat;
import java.util.function.BooleanSupplier;

/**
 * Makes a generation request into a job for the model's slots: the prompt rendered and tokenized, the
 * sampler built (with its grammar), the output routed to the daemon as events of the request's id. Runs on
 * the runner's preparation thread, so a long render or grammar never holds up the slots that are generating.
 */
final class JobMaker {

    private final LlamaEngine engine;
    /** Where a job's events go. */
    private final RunnerChannel events;

    JobMaker(LlamaEngine engine, RunnerChannel events) {
        this.engine = engine;
        this.events = events;
    }

    /** The job of request {@code id} on {@code held}; {@code stopped} tells when its client left. */
    Generation.Job make(RunnerModel held, long id, RunnerRequest r, BooleanSupplier stopped)
            throws EngineException {
        LlamaModel m = held.model;
        ChatRequest chat = MediaHandoff.read(r.chat());
        Sampling sampling = r.sampling() == null ? Sampling.DEFAULT : r.sampling();
        java.util.function.Consumer<Generation.Result> done = result -> events.send(id, new RunnerResult(
                result.promptTokens(), result.reusedTokens(), result.tokens(), result.finish(), 0, result.promptNanos(),
                result.generateNanos(), result.stopSequence(), result.logprobs(), held.generator.cacheStats(),
                held.generator.draftCounts()));
        java.util.function.Consumer<EngineException> failed = e -> events.send(id,
                new RunnerMessages.Failed(e.getMessage(), e.kind().name()));
        if (chat != null && held.templates != null) {
            return TemplatedChat.job(id, m, engine.chat(), held.templates, held.projector, chat, r.maxTokens(),
                    sampling, r.stop(), r.ignoreEos(), r.logprobs(), new OutputSplitter.Parts() {
                        @Override
                        public void text(String piece) {
                            events.piece(id, new RunnerMessages.Token(piece));
                        }

                        @Override
                        public void thinking(String piece) {
                            events.piece(id, new RunnerMessages.Thought(piece));
                        }

                        @Override
                        public void toolCall(int index, String callId, String name, String arguments) {
                            events.piece(id, new RunnerMessages.ToolCall(index, callId, name, arguments));
                        }
                    }, stopped, done, failed).kept(r.keep());
        }
        if (chat != null && chat.hasMedia()) {
            throw new EngineException(EngineException.Kind.INPUT, "images and audio need llama.cpp's chat layer, which the "
                    + "llama.cpp in use lacks; use the bundled one (drop --llama-lib)");
        }
        int[] prompt;
        if (r.suffix() != null) {
            prompt = m.fillInTheMiddle(r.prompt() == null ? "" : r.prompt(), r.suffix());
        } else if (chat != null) {
            prompt = builtInTemplate(m, chat);
        } else {
            prompt = m.tokenize(r.prompt() == null ? "" : r.prompt(), true, true);
        }
        return Generation.job(id, m, new Generation.Request(prompt, r.maxTokens(), sampling, r.stop(), r.ignoreEos(),
                r.logprobs(), r.keep()),
                text -> events.piece(id, new RunnerMessages.Token(text)), stopped, done, failed);
    }

    /**
     * The prompt a conversation renders to with the held model's template, and when {@code count} its tokens as
     * {@link #make} counts them (the template's text, special tokens read, a BOS in front where the model wants one).
     */
    RenderedPrompt rendered(RunnerModel held, ChatRequest chat, boolean count) throws EngineException {
        String prompt = held.templates != null ? TemplatedChat.render(held.templates, chat)
                : held.model.applyTemplate(null, chat.messages(), true);
        if (count && chat.hasMedia() && held.projector != null) {
            try (io.modeld.engine.MediaPrompt media = held.projector.tokenize(prompt, chat.media())) {
                return new RenderedPrompt(prompt, media.tokens().length);   // each image as the embeddings it takes
            }
        }
        return new RenderedPrompt(prompt, count
                ? TemplatedChat.withBos(held.model, held.model.tokenize(prompt, false, true)).length : -1);
    }

    /** Tokens of a text in the held model's vocabulary, or the text of tokens (an id outside it is refused). */
    static TokenText tokens(RunnerModel held, RunnerMessages.Tokenize t) throws EngineException {
        LlamaModel m = held.model;
        int[] ids = t.tokens() != null ? t.tokens() : m.tokenize(t.content() == null ? "" : t.content(), t.addSpecial(),
                t.parseSpecial());
        java.util.List<String> pieces = new java.util.ArrayList<>(ids.length);
        java.io.ByteArrayOutputStream all = new java.io.ByteArrayOutputStream();
        for (int id : ids) {
            if (id < 0 || id >= m.vocabularySize()) {
                throw new EngineException(EngineException.Kind.INPUT, "tokens: " + id + " is not a token of this model "
                        + "(its vocabulary has " + m.vocabularySize() + ")");
            }
            byte[] piece = m.piece(id, true);
            pieces.add(new String(piece, java.nio.charset.StandardCharsets.UTF_8));
            all.writeBytes(piece);
        }
        return new TokenText(ids, pieces, all.toString(java.nio.charset.StandardCharsets.UTF_8));
    }

    /**
     * A conversation formatted by llama.cpp's built-in templates, for a llama.cpp without its chat layer:
     * plain messages only.
     */
    private static int[] builtInTemplate(LlamaModel m, ChatRequest chat) throws EngineException {
        if (chat.offersTools()) {
            throw new EngineException(EngineException.Kind.INPUT, "tools need llama.cpp's chat layer, which the "
                    + "llama.cpp in use lacks; use the bundled one (drop --llama-lib)");
        }
        return TemplatedChat.withBos(m, m.tokenize(m.applyTemplate(null, chat.messages(), true), false, true));
    }
}
