// modeld's window on llama.cpp's chat layer (libllama-common), part 1: the model's own Jinja chat template
// rendered as llama-server renders it, and the tool-call and reasoning parsers of every format it knows, by
// calling that very code. C++ only upstream, so this file gives it a C face: JSON strings in and out, opaque
// handles, every failure a value (modeld_shim.h). See README.md beside this file.

#include "modeld_shim.h"

#include "chat.h"
#include "common.h"

#include <memory>
#include <random>
#include <string>
#include <vector>

namespace {

using modeld::out;

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

}  // namespace

// A model's templates: its own (model given, template empty), or `tmpl` with the BOS and EOS given (no model).
MODELD_API void * modeld_chat_init(const llama_model * model, const char * tmpl, const char * bos, const char * eos,
                                   char ** err) {
    return modeld::guarded<void *>(err, nullptr, [&]() -> void * {
        auto c = std::make_unique<chat>();
        c->templates = common_chat_templates_init(model, tmpl ? tmpl : "", bos ? bos : "", eos ? eos : "");
        return c.release();
    });
}

MODELD_API void modeld_chat_free(void * c) {
    delete static_cast<chat *>(c);
}

// Renders a request ({messages, tools, tool_choice, parallel_tool_calls, add_generation_prompt,
// enable_thinking, reasoning_format, reasoning_effort, chat_template_kwargs, json_schema, grammar}, OpenAI's
// shapes) as llama-server does; answers the prompt and what the model's output format needs.
MODELD_API char * modeld_chat_apply(void * c, const char * request_json, char ** err) {
    return modeld::guarded<char *>(err, nullptr, [&]() -> char * {
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
    });
}

// What the templates can do: tools, tool calls, a system role, parallel calls, thinking, reasoning effort.
MODELD_API char * modeld_chat_caps(void * c, char ** err) {
    return modeld::guarded<char *>(err, nullptr, [&]() -> char * {
        const common_chat_templates * t = static_cast<chat *>(c)->templates.get();
        common_json j = common_json::object();
        for (const auto & [k, v] : common_chat_templates_get_caps(t)) {
            j[k] = v;
        }
        j["supports_enable_thinking"] = common_chat_templates_support_enable_thinking(t);
        j["source"] = common_chat_templates_source(t);
        j["tool_use_source"] = common_chat_templates_source(t, "tool_use");
        return out(j.dump());
    });
}

// A parser of one generation's output, from what modeld_chat_apply answered; reasoning_format "none" leaves
// the thinking in the content, "deepseek" (llama-server's default) takes it out.
MODELD_API void * modeld_parser_new(const char * applied_json, const char * reasoning_format, int parse_tool_calls,
                                    char ** err) {
    return modeld::guarded<void *>(err, nullptr, [&]() -> void * {
        common_json a = common_json::parse(applied_json);
        auto p = std::make_unique<parser>();
        p->params.format = static_cast<common_chat_format>(a.value("format", 0));
        p->params.generation_prompt = a.value("generation_prompt", std::string());
        p->params.reasoning_format = common_reasoning_format_from_name(reasoning_format);
        p->params.parse_tool_calls = parse_tool_calls != 0;
        std::string peg = a.value("parser", std::string());
        if (!peg.empty()) {
            p->params.parser.load(peg);
        }
        p->msg = common_chat_parse("", true, p->params);
        return p.release();
    });
}

MODELD_API void modeld_parser_free(void * p) {
    delete static_cast<parser *>(p);
}

// Adds generated text and answers what changed, as llama-server streams it:
// {"diffs": [{"reasoning", "content", "index", "id", "name", "arguments"}], "message": {...}}.
MODELD_API char * modeld_parser_add(void * handle, const char * text, int is_partial, char ** err) {
    return modeld::guarded<char *>(err, nullptr, [&]() -> char * {
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
    });
}

MODELD_API void modeld_string_free(char * s) {
    std::free(s);
}
