package io.modeld.catalog;

import io.modeld.ModeldException;
import io.modeld.gguf.GgufFormatException;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;

/** What a {@code file://} source says of its model when it is created: its facts, its identity, its file in place. */
final class LocalSource {

    private LocalSource() {
    }

    /** Whether the file begins with GGUF's magic. */
    private static boolean startsAsGguf(Path file) {
        try (java.io.InputStream in = Files.newInputStream(file)) {
            return java.util.Arrays.equals(in.readNBytes(4), "GGUF".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        } catch (IOException e) {
            return false;
        }
    }

    /** The file of a model registered in place, as it is now; null for other models. */
    static ModelRecord.LocalFile linkedFile(ModelSpec spec) {
        ModelRecord.InPlace p = ModelRecord.InPlace.of(spec);
        if (p == null) {
            return null;
        }
        Path file = p.files().get(0);
        try {
            return new ModelRecord.LocalFile(file.getFileName().toString(), Files.size(file), spec.source().sha256());
        } catch (IOException e) {
            throw ModeldException.invalid("source.url: " + file + " cannot be read");
        }
    }

    /**
     * For a file:// source, checks the file is GGUF, fills the fields the client left out and pins the
     * source to that very file (its identity), which a download checks again before it copies a byte.
     * Other sources are returned as they are.
     */
    static ModelSpec withFacts(ModelSpec spec) {
        if (spec.source() == null || !spec.source().url().regionMatches(true, 0, "file:", 0, 5)) {
            return spec;
        }
        Path file = Path.of(URI.create(spec.source().url()).getPath());
        // one answer for a file that is missing, unreadable or no GGUF: the words must not tell a client which
        // files exist on the daemon's machine, nor show their first bytes (issue 29); a GGUF file that modeld
        // refuses (a header past its caps, say) is told why
        ModeldException unusable = ModeldException.invalid("source.url: " + file + " is not a GGUF model modeld can "
                + "read (no such file, not readable, or not GGUF)");
        if (!Files.isRegularFile(file) || !startsAsGguf(file)) {
            throw unusable;
        }
        try {
            FileIdentity identity = FileIdentity.of(file);
            ModelSpec filled = GgufFacts.fill(spec, Path.of(identity.path()));
            return filled.withSource(filled.source().withIdentity(identity));
        } catch (GgufFormatException e) {
            throw ModeldException.invalid("source.url: " + file + " is not a usable GGUF file: " + e.getMessage());
        } catch (IOException e) {
            throw unusable;
        }
    }
}
