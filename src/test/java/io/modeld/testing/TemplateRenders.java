package io.modeld.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The prompts llama-server rendered for llama.cpp's template corpus (written by tools/template-renders.sh at
 * the instant {@code modeld.chat.clock} of the pom, which the tests pin the chat layer's clock at).
 */
public final class TemplateRenders {

    /** One file per template and conversation: {@code <template>.<plain|tools|nothink>.txt}, or {@code .error}. */
    public static final Path DIR = Path.of("src", "test", "resources", "chat-templates");

    private TemplateRenders() {
    }

    /** A committed render. */
    public static String expected(Path file) throws IOException {
        return Files.readString(file);
    }

    /** The render of {@code template} for {@code conversation}. */
    public static String expected(String template, String conversation) throws IOException {
        return expected(DIR.resolve(template + "." + conversation + ".txt"));
    }
}
