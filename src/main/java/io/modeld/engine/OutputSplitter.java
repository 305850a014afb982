package io.modeld.engine;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Splits a generation's text, as it comes, into the answer, the reasoning and the tool calls, with the
 * template's output parser, and hands each piece on as soon as the parser is sure of it. When the whole
 * output does not parse in the template's format (a model that wrote another family's call, say), the text
 * the parser held back goes out as answer: llama-server fails the request there; modeld keeps the answer.
 */
public final class OutputSplitter implements Generation.Output, AutoCloseable {

    /** Where the parts go. */
    public interface Parts {
        void text(String piece);

        void thinking(String piece);

        void toolCall(int index, String id, String name, String arguments);
    }

    private final ChatParser parser;
    private final Parts parts;
    private final StringBuilder raw = new StringBuilder();
    private final StringBuilder shown = new StringBuilder();
    private boolean reasoned;
    private boolean called;

    public OutputSplitter(ChatParser parser, Parts parts) {
        this.parser = parser;
        this.parts = parts;
    }

    @Override
    public void text(String piece) {
        raw.append(piece);
        try {
            emit(parser.add(piece, true));
        } catch (EngineException e) {
            // a partial parse that fails waits for more text; the final parse decides
        }
    }

    /** Parses the whole output once more as final; returns whether the model called tools. */
    public boolean finish() {
        try {
            emit(parser.add("", false));
        } catch (EngineException e) {
            String all = raw.toString();
            if (!reasoned && all.startsWith(shown.toString())) {
                String rest = all.substring(shown.length());
                if (!rest.isEmpty()) {
                    parts.text(rest);
                }
            }
        }
        return called;
    }

    private void emit(JsonNode parsed) {
        for (JsonNode d : parsed.path("diffs")) {
            String reasoning = d.path("reasoning").asText();
            if (!reasoning.isEmpty()) {
                reasoned = true;
                parts.thinking(reasoning);
            }
            String content = d.path("content").asText();
            if (!content.isEmpty()) {
                shown.append(content);
                parts.text(content);
            }
            int index = d.path("index").asInt(-1);
            if (index >= 0) {
                called = true;
                parts.toolCall(index, blankToNull(d.path("id").asText()), blankToNull(d.path("name").asText()),
                        d.path("arguments").asText());
            }
        }
    }

    private static String blankToNull(String s) {
        return s == null || s.isEmpty() ? null : s;
    }

    @Override
    public void close() {
        parser.close();
    }
}
