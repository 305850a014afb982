// modeld's window on llama.cpp's chat layer, part 2: llama-server's sampler (lazy grammars and their
// triggers, preserved tokens, the end-of-generation bias) for every generation, and the abort check that
// lets a decode be stopped midway. Every failure a value (modeld_shim.h). See README.md beside this file.

#include "modeld_shim.h"

#include "chat.h"
#include "common.h"
#include "sampling.h"

#include <cmath>
#include <string>

// llama-server's sampler for one generation: every sampling setting (modeld's defaults live in Java, in one
// place, and are always sent), the output grammar (lazy with its triggers, or forced), the generation
// prompt fed to it, the preserved tokens and the end-of-generation bias.
MODELD_API void * modeld_sampler_new(const llama_model * model, const char * settings_json, char ** err) {
    return modeld::guarded<void *>(err, nullptr, [&]() -> void * {
        common_json s = common_json::parse(settings_json);
        common_params_sampling p;
        p.seed = s.at("seed").get<uint32_t>();
        p.temp = s.at("temperature").get<float>();
        p.top_k = s.at("top_k").get<int>();
        p.top_p = s.at("top_p").get<float>();
        p.min_p = s.at("min_p").get<float>();
        p.typ_p = s.at("typical_p").get<float>();
        p.penalty_last_n = s.at("repeat_last_n").get<int>();
        p.penalty_repeat = s.at("repeat_penalty").get<float>();
        p.penalty_freq = s.at("frequency_penalty").get<float>();
        p.penalty_present = s.at("presence_penalty").get<float>();
        p.ignore_eos = s.at("ignore_eos").get<bool>();
        p.no_perf = true;
        std::string grammar = s.value("grammar", std::string());
        if (!grammar.empty()) {
            bool tools = s.value("grammar_from_template", false);
            p.grammar = {tools ? COMMON_GRAMMAR_TYPE_TOOL_CALLS : COMMON_GRAMMAR_TYPE_USER, grammar};
        }
        p.grammar_lazy = s.value("grammar_lazy", false);
        const llama_vocab * vocab = llama_model_get_vocab(model);
        if (s.contains("grammar_triggers")) {
            for (const auto & t : s.at("grammar_triggers")) {
                common_grammar_trigger trigger;
                trigger.type = static_cast<common_grammar_trigger_type>(t.value("type", 1));
                trigger.value = t.value("value", std::string());
                trigger.token = t.value("token", (int) LLAMA_TOKEN_NULL);
                p.grammar_triggers.push_back(trigger);
            }
        }
        if (s.contains("preserved_tokens")) {
            for (const auto & t : s.at("preserved_tokens")) {
                auto ids = common_tokenize(vocab, t.get<std::string>(), false, true);
                if (ids.size() == 1) {
                    p.preserved_tokens.insert(ids[0]);
                }
            }
        }
        p.generation_prompt = s.value("generation_prompt", std::string());
        if (p.ignore_eos) {
            for (llama_token t = 0; t < llama_vocab_n_tokens(vocab); t++) {
                if (llama_vocab_is_eog(vocab, t)) {
                    p.logit_bias_eog.push_back({t, -INFINITY});
                }
            }
        }
        common_sampler * smpl = common_sampler_init(model, p);
        if (!smpl) {
            throw std::invalid_argument("the grammar does not parse");
        }
        return smpl;
    });
}

// Samples the token at output `idx` (-1: the last) and accepts it; -1 when the sampler failed (a grammar that
// admits no token, say): that generation ends, the other slots go on.
MODELD_API int modeld_sampler_sample(void * s, llama_context * ctx, int idx, char ** err) {
    return modeld::guarded<int>(err, -1, [&]() -> int {
        auto * smpl = static_cast<common_sampler *>(s);
        llama_token t = common_sampler_sample(smpl, ctx, idx);
        common_sampler_accept(smpl, t, true);
        return t;
    });
}

MODELD_API void modeld_sampler_free(void * s) {
    common_sampler_free(static_cast<common_sampler *>(s));
}

// llama_decode's abort callback: `data` points at two int64 values, the step being decoded and the step to
// abort, written by the runner (the second by its watchdog, on a deadline or when every client of the step
// left). Asked between graph nodes, so it must cost nothing: two loads.
MODELD_API bool modeld_abort_check(void * data) {
    auto * steps = static_cast<volatile int64_t *>(data);
    return steps[0] == steps[1];
}
