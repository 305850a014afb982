package io.modeld.gguf;

import java.util.ArrayList;
import java.util.List;

/**
 * The vocabulary of every tiny test model: a SentencePiece byte-fallback vocabulary (unknown, BOS,
 * EOS, then the 256 byte tokens), so any text tokenizes and any architecture can use it, plus a
 * ChatML template so that chat requests format the way real models' templates do.
 */
final class TinyVocab {

    static final int SIZE = 3 + 256;
    static final String CHATML = "{% for message in messages %}{{'<|im_start|>' + message['role'] + '\\n' + "
            + "message['content'] + '<|im_end|>' + '\\n'}}{% endfor %}{% if add_generation_prompt %}"
            + "{{ '<|im_start|>assistant\\n' }}{% endif %}";

    private TinyVocab() {
    }

    /** Adds the tokenizer keys to {@code w}; {@code sep} also names a separator token (rerankers need one). */
    static GgufWriter addTo(GgufWriter w, boolean sep) {
        return addTo(w, sep, CHATML);
    }

    /** The same with a chat template of the caller's (a real model's, from llama.cpp's corpus). */
    static GgufWriter addTo(GgufWriter w, boolean sep, String template) {
        return addTo(w, sep, template, List.of());
    }

    /**
     * The same with {@code specials} after the byte tokens, as control tokens: the markers a real model's
     * template writes ({@code <|im_start|>}, {@code <tool_call>}, {@code <think>}), one token each.
     */
    static GgufWriter addTo(GgufWriter w, boolean sep, String template, List<String> specials) {
        return addTo(w, sep, template, specials, List.of());
    }

    /** The same with {@code pieces} after the specials, as normal tokens of more than one character. */
    static GgufWriter addTo(GgufWriter w, boolean sep, String template, List<String> specials, List<String> pieces) {
        List<String> tokens = new ArrayList<>(List.of("<unk>", "<s>", "</s>"));
        int size = SIZE + specials.size() + pieces.size();
        int[] types = new int[size];
        float[] scores = new float[size];
        types[0] = 2; // unknown
        types[1] = 3; // control
        types[2] = 3;
        for (int b = 0; b < 256; b++) {
            tokens.add(String.format(java.util.Locale.ROOT, "<0x%02X>", b));
            types[3 + b] = 6; // byte
        }
        for (int i = 0; i < specials.size(); i++) {
            tokens.add(specials.get(i));
            types[SIZE + i] = 3; // control
        }
        for (int i = 0; i < pieces.size(); i++) {
            tokens.add(pieces.get(i));
            types[SIZE + specials.size() + i] = 1; // normal
        }
        w.string("tokenizer.ggml.model", "llama")
                .strings("tokenizer.ggml.tokens", tokens)
                .f32s("tokenizer.ggml.scores", scores)
                .i32s("tokenizer.ggml.token_type", types)
                .u32("tokenizer.ggml.unknown_token_id", 0)
                .u32("tokenizer.ggml.bos_token_id", 1)
                .u32("tokenizer.ggml.eos_token_id", 2)
                .bool("tokenizer.ggml.add_bos_token", true)
                .string("tokenizer.chat_template", template);
        if (!specials.isEmpty()) {
            // As the BPE vocabularies of the models whose templates write such markers: no space put in front
            // of the text after one, so that the template's own grammar sees the text it wrote.
            w.bool("tokenizer.ggml.add_space_prefix", false);
        }
        if (sep) {
            w.u32("tokenizer.ggml.seperator_token_id", 2).bool("tokenizer.ggml.add_eos_token", true)
                    .bool("tokenizer.ggml.add_sep_token", false);
        }
        return w;
    }

    /** Small random weights; the writer asks for elements in order, once each. */
    static java.util.function.LongToDoubleFunction weights(java.util.SplittableRandom parent) {
        java.util.SplittableRandom r = parent.split();
        return i -> (r.nextDouble() - 0.5) * 0.1;
    }
}
