package io.modeld.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The prompts llama-server rendered for llama.cpp's template corpus (written by tools/template-renders.sh). */
public final class TemplateRenders {

    /** One file per template and conversation: {@code <template>.<plain|tools|nothink>.txt}, or {@code .error}. */
    public static final Path DIR = Path.of("src", "test", "resources", "chat-templates");
    private static final Pattern DATE = Pattern.compile("\\{\\{DATE:([^}]*)}}");

    private TemplateRenders() {
    }

    /** A committed render with its date placeholders ({@code {{DATE:%d %b %Y}}}) filled in with today's date. */
    public static String expected(Path file) throws IOException {
        String text = Files.readString(file);
        Matcher m = DATE.matcher(text);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String pattern = m.group(1).replace("%d", "dd").replace("%b", "MMM").replace("%B", "MMMM")
                    .replace("%Y", "yyyy").replace("%m", "MM");
            m.appendReplacement(out, Matcher.quoteReplacement(
                    LocalDate.now().format(DateTimeFormatter.ofPattern(pattern, Locale.ENGLISH))));
        }
        m.appendTail(out);
        return out.toString();
    }

    /** The render of {@code template} for {@code conversation}, dates filled in. */
    public static String expected(String template, String conversation) throws IOException {
        return expected(DIR.resolve(template + "." + conversation + ".txt"));
    }
}
