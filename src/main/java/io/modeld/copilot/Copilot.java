package io.modeld.copilot;

import io.modeld.ModeldException;
import io.modeld.catalog.ModelRecord;
import io.modeld.catalog.ModelRoles;
import io.modeld.engine.ChatTurn;
import io.modeld.gguf.ModelRole;
import io.modeld.inference.Answer;
import io.modeld.inference.GenerationRequest;
import io.modeld.inference.Inference;
import io.modeld.inference.Options;
import io.modeld.inference.Prompt;
import io.modeld.inference.TokenSink;
import io.modeld.runtime.RunnerResult;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Questions asked the way the Pieces SDKs' QGPT asks them: a question names a model and, for a follow-up,
 * its conversation; the SDK sends no history, so the conversation is rebuilt from the stored messages each
 * time and given to the model through its own chat template by the one inference core, as on every door.
 * The question is stored before the model runs and the answer once it ends (a stopped answer as far as it
 * got), so a conversation read back, after a restart too, is what the user saw.
 *
 * <p>Nothing is changed for a question that cannot be asked (no text, an unknown conversation, a model that
 * does not chat or is not downloaded): those fail before a conversation is created or a message stored.
 */
public final class Copilot {

    private static final Logger LOG = LoggerFactory.getLogger(Copilot.class);
    /** A new conversation's name: the start of its first question. */
    private static final int TITLE = 60;

    private final Inference inference;
    private final Conversations conversations;
    private final CopilotModel copilotModel;

    public Copilot(Inference inference, Conversations conversations, CopilotModel copilotModel) {
        this.inference = inference;
        this.conversations = conversations;
        this.copilotModel = copilotModel;
    }

    /** A question: its conversation (null starts one), the model (null: the alias's target) and its text. */
    public record Question(String conversation, String model, String query) {
    }

    /** How a question went: its conversation, the answer stored (null when nothing was said), whether it was stopped. */
    public record Reply(Conversation conversation, Message answer, RunnerResult result, boolean stopped) {
    }

    /** Where an answer goes as it comes: first the conversation (before any text), then the pieces of text. */
    public interface Listener {
        void conversation(Conversation c);

        void text(String piece);
    }

    /**
     * Answers in a conversation, storing both sides; {@code stop} is asked before each piece is passed on.
     * The conversation (a new one) and the question are stored once the model has taken the prompt (it fits
     * the context): a question refused before changes nothing.
     */
    public Reply ask(Question q, Listener out, BooleanSupplier stop) {
        String query = query(q.query());
        Conversation known = q.conversation() == null ? null : conversations.get(q.conversation());
        ModelRecord model = chatModel(q.model());
        List<ChatTurn> turns = new ArrayList<>();
        if (known != null) {
            for (Message m : conversations.history(known.id())) {
                turns.add(new ChatTurn(m.role().turn(), m.text()));
            }
        }
        turns.add(new ChatTurn(ChatTurn.Role.USER, query));
        Conversation[] c = {known};
        Answer answer = new Answer();
        TokenSink sink = new TokenSink() {
            @Override
            public void started(int promptTokens, int cachedTokens) {
                if (c[0] == null) {
                    String title = query.length() <= TITLE ? query : query.substring(0, TITLE - 1) + "…";
                    c[0] = conversations.create(title, model.id());
                }
                conversations.append(c[0].id(), Role.USER, query, null);
                out.conversation(c[0]);
            }

            @Override
            public void text(String piece) {
                if (stop.getAsBoolean()) {
                    throw new Stopped();
                }
                answer.text(piece);
                out.text(piece);
            }
        };
        RunnerResult result = null;
        boolean stopped = false;
        try {
            // a conversation is one its user comes back to: the prompt cache keeps it before others
            result = inference.generate(new GenerationRequest(model.id(), Prompt.chat(turns), Options.NONE, null,
                    false).kept(), sink);
            LOG.info("conversation {}: {} answered in {} tokens from a prompt of {} tokens ({} of them cached)",
                    c[0].id(), model.spec().name(), result.tokens(), result.promptTokens(), result.cachedTokens());
        } catch (Stopped s) {
            stopped = true;
            LOG.info("conversation {}: stopped after {} characters of the answer", c[0] == null ? "-" : c[0].id(),
                    answer.text().length());
        }
        if (c[0] == null) {
            // stopped before the model took the prompt: nothing was kept
            return new Reply(known, null, result, true);
        }
        Message said = answer.text().isEmpty() && stopped ? null
                : conversations.append(c[0].id(), Role.ASSISTANT, answer.text(), model.id());
        return new Reply(conversations.get(c[0].id()), said, result, stopped);
    }

    /** One answer to one question, in no conversation (the Pieces {@code /qgpt/question}). */
    public String answer(String modelName, String query) {
        ModelRecord model = chatModel(modelName);
        Answer answer = new Answer();
        inference.generate(new GenerationRequest(model.id(), Prompt.chat(List.of(new ChatTurn(ChatTurn.Role.USER,
                query(query)))), Options.NONE, null, false), answer);
        return answer.text();
    }

    /** The chat model a question names (the alias's target when it names none), checked before anything is stored. */
    private ModelRecord chatModel(String name) {
        ModelRecord r;
        if (name == null || name.isEmpty()) {
            r = copilotModel.target();
            if (r == null) {
                throw ModeldException.invalid("no chat model to answer with: create or download one");
            }
        } else {
            r = inference.model(copilotModel.resolve(name));
        }
        ModelRole role = ModelRoles.of(r.spec());
        if (role != ModelRole.GENERATOR) {
            throw ModeldException.invalid("model '" + r.spec().name() + "' is " + role.withArticle()
                    + " (it serves " + role.serves() + "), not a chat model");
        }
        if (!r.usable()) {
            throw new ModeldException(ModeldException.Kind.CONFLICT, "model '" + r.spec().name() + "' is not downloaded",
                    ModeldException.Hint.DOWNLOAD_FIRST, r.id());
        }
        return r;
    }

    private static String query(String query) {
        if (query == null || query.isBlank()) {
            throw ModeldException.invalid("query: the question's text, not empty");
        }
        if (query.length() > Conversations.MAX_TEXT) {
            throw new ModeldException(ModeldException.Kind.TOO_LARGE, "query: " + query.length()
                    + " characters, more than the " + Conversations.MAX_TEXT + " a message keeps");
        }
        return query;
    }

    /** Thrown out of the sink when the client asked to stop: the generation ends at once. */
    private static final class Stopped extends RuntimeException {
        Stopped() {
            super("stopped", null, false, false);
        }
    }
}
