package io.modeld.engine;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import com.sun.jna.ptr.PointerByReference;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * llama.cpp's libmtmd in this process, when the libraries it was loaded from have it ({@code libmodeld-media},
 * built with the bundled release): opens a model's projector ({@link Projector}), which turns images and audio
 * into embeddings the model reads. A llama.cpp of the user's own (none beside it) keeps its models to text.
 */
public final class MediaLayer {

    final MediaLibrary lib;

    private MediaLayer(MediaLibrary lib) {
        this.lib = lib;
    }

    /** The media layer beside the llama.cpp in {@code dir}, or empty when it is not there or does not load. */
    static Optional<MediaLayer> load(Path dir) {
        Optional<Path> file = LlamaEngine.find(dir, "modeld-media");
        if (file.isEmpty()) {
            return Optional.empty();
        }
        try {
            return Optional.of(new MediaLayer(Native.load(file.get().toString(), MediaLibrary.class,
                    Map.of(Library.OPTION_STRING_ENCODING, "UTF-8"))));
        } catch (UnsatisfiedLinkError e) {
            System.err.println("modeld: llama.cpp's media library in " + dir + " does not load (" + e.getMessage()
                    + "); models read text only");
            return Optional.empty();
        }
    }

    /**
     * Opens {@code file}, a projector, for {@code model}; encodes on {@code threads} threads. INPUT when llama.cpp
     * refuses it (not a projector, or one made for another model: its output size is not the model's).
     */
    public Projector open(LlamaModel model, Path file, int threads) throws EngineException {
        PointerByReference err = new PointerByReference();
        Pointer ctx = lib.modeld_media_open(file.toString(), model.pointer(), threads,
                model.placement().onDevice(), Media.MARKER, err);   // the projector on the GPU with its model
        if (ctx == null) {
            throw new EngineException(EngineException.Kind.INPUT, message(err, "the projector does not open")
                    + model.engine.logSummary());
        }
        return new Projector(this, ctx);
    }

    String message(PointerByReference err, String fallback) {
        Pointer p = err.getValue();
        if (p == null) {
            return fallback;
        }
        String m = p.getString(0, "UTF-8");
        lib.modeld_media_string_free(p);
        return m;
    }
}
