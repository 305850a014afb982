package io.modeld.api.openai;

import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.modeld.ModeldException;
import io.modeld.api.ClientConnection;
import io.modeld.api.MediaInputs;
import io.modeld.engine.ChatRequest;
import io.modeld.engine.ChatTurn;
import io.modeld.inference.Answer;
import io.modeld.inference.GenerationRequest;
import io.modeld.inference.Inference;
import io.modeld.inference.Options;
import io.modeld.inference.Prompt;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutionException;
import org.eclipse.jetty.http.MultiPart;
import org.eclipse.jetty.http.MultiPartFormData;
import org.eclipse.jetty.io.Content;

/**
 * OpenAI's {@code POST /v1/audio/transcriptions} through a model that hears (an audio projector): the clip, and a
 * request to transcribe it, as one user message of the model's own chat template, answered greedily unless the
 * request gives a temperature. Fields, as a multipart form: {@code file} (WAV, MP3 or FLAC), {@code model},
 * {@code language} and {@code prompt} (both told to the model), {@code response_format} ({@code json}, the default, or
 * {@code text}), {@code temperature}. The form is parsed by Jetty's own multipart parser, from the body the request
 * guard already read.
 */
public final class TranscriptionRoutes {

    private final Inference inference;

    public TranscriptionRoutes(Inference inference) {
        this.inference = inference;
    }

    public void register(RoutesConfig routes) {
        routes.post("/v1/audio/transcriptions", this::transcribe);
    }

    private void transcribe(Context ctx) {
        MultiPartFormData.Parts form = form(ctx);
        try (form) {
            MultiPart.Part file = form.getFirst("file");
            if (file == null) {
                throw ModeldException.invalid("file: required, the clip to transcribe (WAV, MP3 or FLAC)");
            }
            String model = field(form, "model");
            if (model == null || model.isBlank()) {
                throw ModeldException.invalid("model: required, a model that hears audio");
            }
            String format = field(form, "response_format");
            if (format != null && !List.of("json", "text").contains(format)) {
                throw ModeldException.invalid("response_format: must be json or text");
            }
            MediaInputs media = MediaInputs.of(ctx);
            String marker = media.audioBytes(bytes(file), null, "file");
            String language = field(form, "language");
            String context = field(form, "prompt");
            String ask = marker + "\nTranscribe this audio" + (language == null || language.isBlank() ? ""
                    : " (its language: " + language.strip() + ")") + (context == null || context.isBlank() ? ""
                    : "; what came before it: " + context.strip()) + ". Answer with the words spoken, nothing else.";
            ChatRequest chat = new ChatRequest(List.of(new ChatTurn(ChatTurn.Role.USER, ask)), null, null, null, false,
                    null, null, media.items());
            Options options = Options.NONE.over(new Options(temperature(field(form, "temperature")), null, null, null,
                    null, null, null, null, null, null, null, null, null, null));
            Answer answer = new Answer(ClientConnection.gone(ctx));
            inference.generate(new GenerationRequest(model, new Prompt.Chat(chat), options, null, false), answer);
            String text = answer.text().strip();
            if ("text".equals(format)) {
                ctx.contentType("text/plain; charset=utf-8").result(text);
            } else {
                ctx.json(java.util.Map.of("text", text));
            }
        }
    }

    private static MultiPartFormData.Parts form(Context ctx) {
        String type = ctx.header("Content-Type");
        String boundary = type == null ? null : MultiPart.extractBoundary(type);
        if (type == null || !type.toLowerCase(Locale.ROOT).startsWith("multipart/form-data") || boundary == null) {
            throw ModeldException.invalid("body: must be multipart/form-data with the clip as 'file'");
        }
        MultiPartFormData.Parser parser = new MultiPartFormData.Parser(boundary);
        parser.setMaxMemoryFileSize(Long.MAX_VALUE);   // the body is in memory already, bounded by the request guard
        parser.setMaxParts(16);
        try {
            return parser.parse(Content.Source.from(ByteBuffer.wrap(ctx.bodyAsBytes()))).get();
        } catch (ExecutionException e) {
            throw ModeldException.invalid("body: not a readable multipart form (" + e.getCause().getMessage() + ")");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw ModeldException.invalid("body: interrupted");
        }
    }

    private static String field(MultiPartFormData.Parts form, String name) {
        MultiPart.Part p = form.getFirst(name);
        return p == null ? null : p.getContentAsString(StandardCharsets.UTF_8);
    }

    private static byte[] bytes(MultiPart.Part part) {
        try {
            ByteBuffer b = Content.Source.asByteBuffer(part.getContentSource());
            byte[] out = new byte[b.remaining()];
            b.get(out);
            return out;
        } catch (java.io.IOException e) {
            throw ModeldException.invalid("file: unreadable (" + e.getMessage() + ")");
        }
    }

    /** The request's temperature, 0 (greedy, as a transcript should be) when it gives none. */
    private static Float temperature(String value) {
        if (value == null || value.isBlank()) {
            return 0f;
        }
        try {
            float t = Float.parseFloat(value.strip());
            if (t < 0 || t > 2) {
                throw new NumberFormatException();
            }
            return t;
        } catch (NumberFormatException e) {
            throw ModeldException.invalid("temperature: must be a number from 0 to 2");
        }
    }
}
