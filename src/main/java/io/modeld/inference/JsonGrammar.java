package io.modeld.inference;

/**
 * A GBNF grammar that only JSON values match, for {@code response_format: json_object} and Ollama's
 * {@code format: "json"}: the sampler then cannot produce anything that does not parse. The root is
 * an object, as both APIs promise an object.
 */
public final class JsonGrammar {

    public static final String OBJECT = """
            root   ::= object
            value  ::= object | array | string | number | ("true" | "false" | "null") ws
            object ::= "{" ws ( string ":" ws value ("," ws string ":" ws value)* )? "}" ws
            array  ::= "[" ws ( value ("," ws value)* )? "]" ws
            string ::= "\\"" ( [^"\\\\\\x7F\\x00-\\x1F] | "\\\\" (["\\\\bfnrt] | "u" [0-9a-fA-F]{4}) )* "\\"" ws
            number ::= ("-"? ([0-9] | [1-9] [0-9]{0,15})) ("." [0-9]+)? ([eE] [-+]? [0-9] [1-9]{0,15})? ws
            ws     ::= | " " | "\\n" [ \\t]{0,20}
            """;

    private JsonGrammar() {
    }
}
