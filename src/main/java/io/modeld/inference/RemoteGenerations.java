package io.modeld.inference;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.modeld.ModeldException;
import io.modeld.catalog.ModelRecord;
import io.modeld.catalog.Modelfile;
import io.modeld.catalog.Remote;
import io.modeld.gguf.ModelRole;
import io.modeld.remote.RemoteClient;
import io.modeld.runtime.RunnerResult;

/**
 * The core's work for a remote model: a generation or an embedding sent to the server the model lives on
 * ({@link RemoteClient}) in the body {@link RemoteRequests} makes of it, the output streamed back to the door's sink
 * and counted as a local model's is; and what the model can do, as its server said.
 */
final class RemoteGenerations {

    /** How remote models are reached; null where there are none (the core's tests). */
    private final RemoteClient client;

    RemoteGenerations(RemoteClient client) {
        this.client = client;
    }

    /** What a remote model can do, as its server said when it was made. */
    static ModelCapabilities capabilities(Remote where) {
        boolean embeds = where.role() == ModelRole.EMBEDDER;
        return new ModelCapabilities(!embeds, where.can("tools"), where.can("thinking"), where.can("insert"), embeds,
                false, where.can("vision"), where.can("audio"), null);
    }

    /**
     * A generation: forwarded with the request's options over the local Modelfile's (the server's defaults for the
     * rest), the conversation as {@code request} holds it (the local system prompt already in front).
     */
    RunnerResult generate(ModelRecord r, GenerationRequest request, TokenSink sink, GenerationMeter meter) {
        if (request.logprobs() >= 0) {
            throw ModeldException.invalid("logprobs: not forwarded to remote model '" + r.spec().name()
                    + "'; ask its server for them directly");
        }
        Modelfile mf = r.spec().modelfile();
        Options said = Options.fromModelfile(mf == null ? null : mf.parameters()).over(request.options());
        ObjectNode body;
        String path;
        if (request.prompt() instanceof Prompt.Chat c) {
            body = RemoteRequests.chat(c.chat(), said, request.ignoreEos());
            path = "/v1/chat/completions";
        } else {
            Prompt.Text t = (Prompt.Text) request.prompt();
            body = RemoteRequests.text(t.prompt(), t.suffix(), said, request.ignoreEos());
            path = "/v1/completions";
        }
        RunnerResult result;
        try {
            result = client(r).stream(r.remote(), path, body, sink);
        } catch (RuntimeException e) {
            meter.failed(r.id());
            throw e;
        }
        meter.generated(r.id(), result);
        return result;
    }

    /** The server's vectors of the inputs, before they are cut and scaled as asked. */
    RemoteClient.Vectors embed(ModelRecord r, EmbeddingRequest request) {
        return client(r).embed(r.remote(), RemoteRequests.embed(request.texts(), request.tokens()));
    }

    private RemoteClient client(ModelRecord r) {
        if (client == null) {
            throw new ModeldException(ModeldException.Kind.UNAVAILABLE, "model '" + r.spec().name() + "' is a remote "
                    + "model, and this daemon reaches none");
        }
        return client;
    }
}
