// modeld's window on llama.cpp's chat layer (libllama-common): the model's own Jinja chat template
// rendered as llama-server renders it, the tool-call and reasoning parsers of every format it knows, and
// llama-server's sampler (lazy grammars and their triggers, the reasoning budget) -- by calling that very
// code. C++ only upstream, so this file gives it a C face: JSON strings in and out, opaque handles, no
// exception ever crossing into Java. Compiled at build time against the headers of the release the
// prebuilt libraries come from (src/main/native/chat/build.sh); see DESIGN (chat templates).

#include "chat.h"
#include "common.h"
#include "sampling.h"

#include <chrono>
#include <cstring>
#include <ctime>
#include <dlfcn.h>
#include <elf.h>
#include <exception>
#include <link.h>
#include <random>
#include <string>
#include <sys/mman.h>
#include <unistd.h>
#include <vector>

namespace {

char * out(const std::string & s) {
    char * p = static_cast<char *>(std::malloc(s.size() + 1));
    std::memcpy(p, s.c_str(), s.size() + 1);
    return p;
}

char * error(const std::string & message) {
    common_json e = common_json::object();
    e["error"] = message;
    return out(e.dump());
}

struct chat {
    common_chat_templates_ptr templates;
    int thinks = -1;  // whether the template can think (llama-server's default for enable_thinking); -1 unknown
};

// One generation's parser: what the template said of its output, and what was generated so far.
struct parser {
    common_chat_parser_params params;
    std::string generated;
    common_chat_msg msg;
    std::vector<std::string> ids;
    std::mt19937 random{std::random_device{}()};
};

// A tool call's id: 9 random letters and digits, unique enough to match results to calls across a whole
// conversation, and the shape Mistral's templates insist on (they raise on any other).
std::string call_id(std::mt19937 & random) {
    static const char alphabet[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    std::uniform_int_distribution<int> pick(0, sizeof(alphabet) - 2);
    std::string id(9, ' ');
    for (auto & c : id) {
        c = alphabet[pick(random)];
    }
    return id;
}

common_chat_tool_choice tool_choice_of(const common_json & request, std::vector<common_chat_tool> & tools) {
    if (!request.contains("tool_choice") || request.at("tool_choice").is_null()) {
        return COMMON_CHAT_TOOL_CHOICE_AUTO;
    }
    const common_json & c = request.at("tool_choice");
    if (c.is_string()) {
        return common_chat_tool_choice_parse_oaicompat(c.get<std::string>());
    }
    // {"type": "function", "function": {"name": ...}}: that function, and only it, must be called.
    std::string name = c.at("function").at("name").get<std::string>();
    std::vector<common_chat_tool> only;
    for (const auto & t : tools) {
        if (t.name == name) {
            only.push_back(t);
        }
    }
    if (only.empty()) {
        throw std::invalid_argument("tool_choice names the function '" + name + "', which is not among the tools");
    }
    tools = only;
    return COMMON_CHAT_TOOL_CHOICE_REQUIRED;
}

common_json params_json(const common_chat_params & p) {
    common_json j = common_json::object();
    j["prompt"] = p.prompt;
    j["format"] = static_cast<int>(p.format);
    j["format_name"] = common_chat_format_name(p.format);
    j["grammar"] = p.grammar;
    j["grammar_lazy"] = p.grammar_lazy;
    common_json triggers = common_json::array();
    for (const auto & t : p.grammar_triggers) {
        common_json tj = common_json::object();
        tj["type"] = static_cast<int>(t.type);
        tj["value"] = t.value;
        tj["token"] = t.token;
        triggers.push_back(tj);
    }
    j["grammar_triggers"] = triggers;
    j["preserved_tokens"] = p.preserved_tokens;
    j["additional_stops"] = p.additional_stops;
    j["generation_prompt"] = p.generation_prompt;
    j["supports_thinking"] = p.supports_thinking;
    j["thinking_start_tag"] = p.thinking_start_tag;
    j["thinking_end_tags"] = p.thinking_end_tags;
    j["parser"] = p.parser;
    return j;
}

common_json msg_json(const common_chat_msg & m) {
    common_json j = common_json::object();
    j["content"] = m.content;
    j["reasoning_content"] = m.reasoning_content;
    common_json calls = common_json::array();
    for (const auto & c : m.tool_calls) {
        common_json cj = common_json::object();
        cj["id"] = c.id;
        cj["name"] = c.name;
        cj["arguments"] = c.arguments;
        calls.push_back(cj);
    }
    j["tool_calls"] = calls;
    return j;
}

// A pinned clock for the chat layer (tests only): templates print today's date (strftime_now, date_string),
// and this release's Jinja engine reads it from time() and the system clock, not from the inputs' `now`.
// Pinning points libllama-common's own calls of time(), system_clock::now() and localtime() (its PLT slots)
// at the fixed instant in UTC; nothing else in the process sees it.
std::time_t pinned_time;

std::time_t pinned_time_of(std::time_t * t) {
    if (t) {
        *t = pinned_time;
    }
    return pinned_time;
}

std::chrono::system_clock::time_point pinned_now() {
    return std::chrono::system_clock::from_time_t(pinned_time);
}

std::tm * pinned_localtime(const std::time_t * t) {
    return std::gmtime(t);
}

// Points the PLT and GOT slots of the library holding `inside` for the named functions at their pinned twins.
int pin_slots(const void * inside) {
    Dl_info info;
    link_map * lm = nullptr;
    if (!dladdr1(inside, &info, reinterpret_cast<void **>(&lm), RTLD_DL_LINKMAP) || !lm) {
        return 0;
    }
    auto at = [lm](ElfW(Addr) v) { return v < lm->l_addr ? v + lm->l_addr : v; };
    const ElfW(Sym) * symtab = nullptr;
    const char * strtab = nullptr;
    const ElfW(Rela) * tables[2] = {nullptr, nullptr};
    size_t sizes[2] = {0, 0};
    for (const ElfW(Dyn) * d = lm->l_ld; d->d_tag != DT_NULL; d++) {
        switch (d->d_tag) {
            case DT_SYMTAB: symtab = reinterpret_cast<const ElfW(Sym) *>(at(d->d_un.d_ptr)); break;
            case DT_STRTAB: strtab = reinterpret_cast<const char *>(at(d->d_un.d_ptr)); break;
            case DT_JMPREL: tables[0] = reinterpret_cast<const ElfW(Rela) *>(at(d->d_un.d_ptr)); break;
            case DT_PLTRELSZ: sizes[0] = d->d_un.d_val; break;
            case DT_RELA: tables[1] = reinterpret_cast<const ElfW(Rela) *>(at(d->d_un.d_ptr)); break;
            case DT_RELASZ: sizes[1] = d->d_un.d_val; break;
        }
    }
    if (!symtab || !strtab) {
        return 0;
    }
    const std::pair<const char *, void *> twins[] = {
        {"time", reinterpret_cast<void *>(&pinned_time_of)},
        {"localtime", reinterpret_cast<void *>(&pinned_localtime)},
        {"_ZNSt6chrono3_V212system_clock3nowEv", reinterpret_cast<void *>(&pinned_now)},
    };
    long page = sysconf(_SC_PAGESIZE);
    int pinned = 0;
    for (int t = 0; t < 2; t++) {
        for (size_t i = 0; tables[t] && i < sizes[t] / sizeof(ElfW(Rela)); i++) {
            const ElfW(Rela) & r = tables[t][i];
            const char * name = strtab + symtab[ELF64_R_SYM(r.r_info)].st_name;
            for (const auto & [wanted, twin] : twins) {
                if (ELF64_R_SYM(r.r_info) != 0 && std::strcmp(name, wanted) == 0) {
                    auto * slot = reinterpret_cast<void **>(lm->l_addr + r.r_offset);
                    void * start = reinterpret_cast<void *>(reinterpret_cast<uintptr_t>(slot) & ~(uintptr_t) (page - 1));
                    mprotect(start, page, PROT_READ | PROT_WRITE);  // a slot under RELRO is read-only by now
                    *slot = twin;
                    pinned++;
                }
            }
        }
    }
    return pinned;
}

}  // namespace

#define MODELD_API __attribute__((visibility("default")))

extern "C" {

// A model's templates: its own (model given, template empty), or `tmpl` with the BOS and EOS given (no model).
MODELD_API void * modeld_chat_init(const llama_model * model, const char * tmpl, const char * bos, const char * eos, char ** err) {
    try {
        auto * c = new chat();
        c->templates = common_chat_templates_init(model, tmpl ? tmpl : "", bos ? bos : "", eos ? eos : "");
        return c;
    } catch (const std::exception & e) {
        *err = out(e.what());
        return nullptr;
    }
}

MODELD_API void modeld_chat_free(void * c) {
    delete static_cast<chat *>(c);
}

// Renders a request ({messages, tools, tool_choice, parallel_tool_calls, add_generation_prompt,
// enable_thinking, reasoning_format, reasoning_effort, chat_template_kwargs, json_schema, grammar}, OpenAI's
// shapes) as llama-server does; answers the prompt and what the model's output format needs, or {error}.
MODELD_API char * modeld_chat_apply(void * c, const char * request_json) {
    try {
        auto * ch = static_cast<chat *>(c);
        const common_chat_templates * t = ch->templates.get();
        common_json r = common_json::parse(request_json);
        if (ch->thinks < 0) {
            ch->thinks = common_chat_templates_support_enable_thinking(t) ? 1 : 0;
        }
        auto caps = common_chat_templates_get_caps(t);
        common_chat_templates_inputs in;
        in.messages = common_chat_msgs_parse_oaicompat(r.value("messages", common_json::array()));
        in.tools = common_chat_tools_parse_oaicompat(r.value("tools", common_json::array()));
        in.tool_choice = tool_choice_of(r, in.tools);
        in.parallel_tool_calls = r.value("parallel_tool_calls", (bool) caps["supports_parallel_tool_calls"]);
        in.add_generation_prompt = r.value("add_generation_prompt", true);
        in.reasoning_format = common_reasoning_format_from_name(r.value("reasoning_format", std::string("deepseek")));
        // llama-server's defaults: thinking on where the template can think, earlier reasoning kept
        in.enable_thinking = r.value("enable_thinking", ch->thinks == 1);
        in.chat_template_kwargs["preserve_reasoning"] = "true";
        in.use_jinja = true;
        if (r.contains("json_schema") && !r.at("json_schema").is_null()) {
            in.json_schema = r.at("json_schema").dump();
        }
        in.grammar = r.value("grammar", std::string());
        if (r.contains("chat_template_kwargs")) {
            for (const auto & [k, v] : r.at("chat_template_kwargs").items()) {
                in.chat_template_kwargs[k] = v.dump();
            }
        }
        auto thinking = in.chat_template_kwargs.find("enable_thinking");
        if (thinking != in.chat_template_kwargs.end()) {
            in.enable_thinking = thinking->second == "true";
        }
        std::string effort = r.value("reasoning_effort", std::string());
        if (effort == "none") {
            in.enable_thinking = false;
        } else if (!effort.empty()) {
            in.chat_template_kwargs["reasoning_effort"] = common_json::make(effort).dump();
        }
        return out(params_json(common_chat_templates_apply(t, in)).dump());
    } catch (const std::exception & e) {
        return error(e.what());
    }
}

// What the templates can do: tools, tool calls, a system role, parallel calls, thinking, reasoning effort.
MODELD_API char * modeld_chat_caps(void * c) {
    try {
        const common_chat_templates * t = static_cast<chat *>(c)->templates.get();
        common_json j = common_json::object();
        for (const auto & [k, v] : common_chat_templates_get_caps(t)) {
            j[k] = v;
        }
        j["supports_enable_thinking"] = common_chat_templates_support_enable_thinking(t);
        j["source"] = common_chat_templates_source(t);
        j["tool_use_source"] = common_chat_templates_source(t, "tool_use");
        return out(j.dump());
    } catch (const std::exception & e) {
        return error(e.what());
    }
}

// A parser of one generation's output, from what modeld_chat_apply answered; reasoning_format "none" leaves
// the thinking in the content, "deepseek" (llama-server's default) takes it out.
MODELD_API void * modeld_parser_new(const char * applied_json, const char * reasoning_format, int parse_tool_calls, char ** err) {
    try {
        common_json a = common_json::parse(applied_json);
        auto * p = new parser();
        p->params.format = static_cast<common_chat_format>(a.value("format", 0));
        p->params.generation_prompt = a.value("generation_prompt", std::string());
        p->params.reasoning_format = common_reasoning_format_from_name(reasoning_format);
        p->params.parse_tool_calls = parse_tool_calls != 0;
        std::string peg = a.value("parser", std::string());
        if (!peg.empty()) {
            p->params.parser.load(peg);
        }
        p->msg = common_chat_parse("", true, p->params);
        return p;
    } catch (const std::exception & e) {
        *err = out(e.what());
        return nullptr;
    }
}

MODELD_API void modeld_parser_free(void * p) {
    delete static_cast<parser *>(p);
}

// Adds generated text and answers what changed, as llama-server streams it:
// {"diffs": [{"reasoning", "content", "index", "id", "name", "arguments"}], "message": {...}}.
MODELD_API char * modeld_parser_add(void * handle, const char * text, int is_partial) {
    try {
        auto * p = static_cast<parser *>(handle);
        p->generated += text;
        common_chat_msg before = p->msg;
        common_chat_msg now = common_chat_parse(p->generated, is_partial != 0, p->params);
        common_json diffs = common_json::array();
        if (!now.empty() || !is_partial) {
            now.set_tool_call_ids(p->ids, [p]() { return call_id(p->random); });
            p->msg = now;
            for (const auto & d : common_chat_msg_diff::compute_diffs(before, now)) {
                common_json dj = common_json::object();
                dj["reasoning"] = d.reasoning_content_delta;
                dj["content"] = d.content_delta;
                dj["index"] = d.tool_call_index == std::string::npos ? -1 : (int) d.tool_call_index;
                dj["id"] = d.tool_call_delta.id;
                dj["name"] = d.tool_call_delta.name;
                dj["arguments"] = d.tool_call_delta.arguments;
                diffs.push_back(dj);
            }
        }
        common_json j = common_json::object();
        j["diffs"] = diffs;
        j["message"] = msg_json(p->msg);
        return out(j.dump());
    } catch (const std::exception & e) {
        return error(e.what());
    }
}

// llama-server's sampler for one generation: sampling settings, the output grammar (lazy with its
// triggers, or forced), the generation prompt fed to it, the preserved tokens and end-of-generation bias.
MODELD_API void * modeld_sampler_new(const llama_model * model, const char * settings_json, char ** err) {
    try {
        common_json s = common_json::parse(settings_json);
        common_params_sampling p;
        p.seed = s.value("seed", (uint32_t) LLAMA_DEFAULT_SEED);
        p.temp = s.value("temperature", 0.8f);
        p.top_k = s.value("top_k", 40);
        p.top_p = s.value("top_p", 0.9f);
        p.min_p = s.value("min_p", 0.0f);
        p.typ_p = s.value("typical_p", 1.0f);
        p.penalty_last_n = s.value("repeat_last_n", 64);
        p.penalty_repeat = s.value("repeat_penalty", 1.0f);
        p.penalty_freq = s.value("frequency_penalty", 0.0f);
        p.penalty_present = s.value("presence_penalty", 0.0f);
        p.ignore_eos = s.value("ignore_eos", false);
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
    } catch (const std::exception & e) {
        *err = out(e.what());
        return nullptr;
    }
}

// Samples the token at output `idx` (-1: the last) and accepts it.
MODELD_API int modeld_sampler_sample(void * s, llama_context * ctx, int idx) {
    auto * smpl = static_cast<common_sampler *>(s);
    llama_token t = common_sampler_sample(smpl, ctx, idx);
    common_sampler_accept(smpl, t, true);
    return t;
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

// Pins the time templates see at `epoch_seconds` (UTC), for tests that compare renders; answers how many
// of libllama-common's call sites now read it (0: not pinned).
MODELD_API int modeld_chat_pin_clock(long long epoch_seconds) {
    pinned_time = static_cast<std::time_t>(epoch_seconds);
    return pin_slots(reinterpret_cast<const void *>(&common_chat_templates_apply));
}

MODELD_API void modeld_string_free(char * s) {
    std::free(s);
}

}  // extern "C"
