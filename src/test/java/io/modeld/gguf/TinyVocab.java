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
        List<String> tokens = new ArrayList<>(List.of("<unk>", "<s>", "</s>"));
        int[] types = new int[SIZE];
        float[] scores = new float[SIZE];
        types[0] = 2; // unknown
        types[1] = 3; // control
        types[2] = 3;
        for (int b = 0; b < 256; b++) {
            tokens.add(String.format("<0x%02X>", b));
            types[3 + b] = 6; // byte
        }
        w.string("tokenizer.ggml.model", "llama")
                .strings("tokenizer.ggml.tokens", tokens)
                .f32s("tokenizer.ggml.scores", scores)
                .i32s("tokenizer.ggml.token_type", types)
                .u32("tokenizer.ggml.unknown_token_id", 0)
                .u32("tokenizer.ggml.bos_token_id", 1)
                .u32("tokenizer.ggml.eos_token_id", 2)
                .bool("tokenizer.ggml.add_bos_token", true)
                .string("tokenizer.chat_template", CHATML);
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
