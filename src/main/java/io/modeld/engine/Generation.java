package io.modeld.engine;

import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.IntPredicate;

/** What a generation was asked and how it ended. */
public final class Generation {

    private Generation() {
    }

    /** Why a generation ended: the model (or a stop string) said so, or the token limit was reached. */
    public enum Finish {
        STOP("stop"), LENGTH("length"),
        /** The model called tools: the answer is its calls. */
        TOOL_CALLS("tool_calls");

        private final String wire;

        Finish(String wire) {
            this.wire = wire;
        }

        /** As OpenAI spells it. */
        public String wire() {
            return wire;
        }

        /** As Ollama spells it: its runner ends a turn of tool calls as any other, {@code stop}. */
        public String ollama() {
            return this == TOOL_CALLS ? STOP.wire : wire;
        }
    }

    /**
     * @param prompt the prompt's tokens (special tokens included)
     * @param maxTokens at most this many tokens are generated
     * @param stop strings that end the generation; they are not part of the output
     * @param ignoreEos keep generating past the model's end of sequence (for benchmarks)
     * @param keep its prefix is one a client comes back to (a Pieces conversation, a stored response): the prompt
     *             cache keeps it before others
     * @param media the images and audio among the prompt's tokens ({@code prompt} is then its tokens); null for none
     */
    public record Request(int[] prompt, int maxTokens, Sampling sampling, List<String> stop, boolean ignoreEos,
                          int logprobs, boolean keep, MediaPrompt media) {

        public Request(int[] prompt, int maxTokens, Sampling sampling, List<String> stop, boolean ignoreEos,
                       int logprobs, boolean keep) {
            this(prompt, maxTokens, sampling, stop, ignoreEos, logprobs, keep, null);
        }

        /** Without log-probabilities. */
        public Request(int[] prompt, int maxTokens, Sampling sampling, List<String> stop, boolean ignoreEos) {
            this(prompt, maxTokens, sampling, stop, ignoreEos, -1, false);
        }

        public Request(int[] prompt, int maxTokens, Sampling sampling, List<String> stop, boolean ignoreEos,
                       int logprobs) {
            this(prompt, maxTokens, sampling, stop, ignoreEos, logprobs, false);
        }
    }

    /**
     * @param promptTokens tokens of the prompt
     * @param reusedTokens of those, how many were already in the cache from the previous request
     * @param tokens tokens generated
     * @param stopSequence the stop string that ended it; null when none did
     * @param logprobs each generated token's log-probability when the request asked ({@code logprobs} >= 0,
     *                 with that many alternatives), else null
     */
    public record Result(int promptTokens, int reusedTokens, int tokens, Finish finish, long promptNanos,
                         long generateNanos, String stopSequence, List<TokenLogprob> logprobs) {
    }

    /** Receives the text as it is generated, whole characters only. */
    public interface Output {
        void text(String piece);
    }

    /**
     * One generation: its id (the caller's), its request, the sampler (the caller closes it), the special
     * tokens whose text is shown, where the text goes, when the client left, and what to call at the end:
     * {@code done} with the result, or {@code failed} when the engine failed.
     */
    public record Job(long id, Request request, TokenSampler sampler, IntPredicate shown,
                      Output out, BooleanSupplier abandon, Consumer<Result> done,
                      Consumer<EngineException> failed) {

        /** This job, its prefix one the prompt cache keeps before others ({@link Request#keep}). */
        public Job kept(boolean keep) {
            Request r = request;
            return keep == r.keep() ? this : new Job(id, new Request(r.prompt(), r.maxTokens(), r.sampling(), r.stop(),
                    r.ignoreEos(), r.logprobs(), keep, r.media()), sampler, shown, out, abandon, done, failed);
        }
    }

    /**
     * What a step is doing, for a watchdog: decoding (abortable by {@link #abort}) for the jobs of these ids,
     * or sampling the next token of one job; {@code stepDone} after each.
     */
    public interface Watch {
        Watch NONE = new Watch() {
            @Override
            public void decoding(long step, long[] ids) {
            }

            @Override
            public void sampling(long id) {
            }

            @Override
            public void stepDone() {
            }
        };

        void decoding(long step, long[] ids);

        void sampling(long id);

        void stepDone();
    }

    /**
     * A job of a plain prompt (no template, no parser), its sampler ({@code sampler}, freed when the job ends)
     * llama-server's when the chat layer is there, as every chat's is, else a chain of llama.cpp's samplers.
     */
    public static Job job(long id, LlamaModel model, Request r, Output out,
                          BooleanSupplier abandon, Consumer<Result> done, Consumer<EngineException> failed)
            throws EngineException {
        TokenSampler sampler = sampler(model, r.sampling(), r.ignoreEos());
        return new Job(id, r, sampler, t -> false, out, abandon, result -> {
            sampler.close();
            done.accept(result);
        }, e -> {
            sampler.close();
            failed.accept(e);
        });
    }

    /** The sampler of a plain prompt: llama-server's (the chat layer's) where there is one, else llama.cpp's chain. */
    static TokenSampler sampler(LlamaModel model, Sampling s, boolean ignoreEos) throws EngineException {
        ChatLayer layer = model.engine.chat();
        return layer != null ? layer.sampler(model, s.settings(ignoreEos)) : SamplerChain.of(model, s, ignoreEos);
    }

}
