package io.modeld.api.pieces;

import com.fasterxml.jackson.databind.JsonNode;
import io.javalin.config.RoutesConfig;
import io.modeld.ModeldException;
import io.modeld.api.Bodies;
import io.modeld.api.Fields;
import io.modeld.api.Sockets;
import io.modeld.copilot.Conversation;
import io.modeld.copilot.Conversations;
import io.modeld.copilot.CopilotModel;
import io.modeld.copilot.Role;

/**
 * Conversations as the Pieces SDKs keep them: list ({@code GET /conversations}), create, delete, read
 * ({@code GET /conversation/{id}}), rename ({@code POST /conversation/update}), read a message ({@code GET
 * /message/{id}}), add one ({@code POST /messages/create}, as the dashboard's chat stores its turns), and the
 * WebSocket {@code /conversations/stream/identifiers}, which announces a conversation as soon as it exists.
 */
final class ConversationRoutes {

    private final Conversations conversations;
    private final CopilotModel copilotModel;
    private final ConversationViews views;
    private final IdentifierStream identifiers;

    ConversationRoutes(Conversations conversations, CopilotModel copilotModel, ConversationViews views) {
        this.conversations = conversations;
        this.copilotModel = copilotModel;
        this.views = views;
        this.identifiers = new IdentifierStream((now, changes) -> conversations.subscribe(
                all -> now.accept(all.stream().map(c -> new IdentifierStream.Change(c.id(), false)).toList()),
                change -> changes.accept(new IdentifierStream.Change(change.id(), change.deleted()))),
                views::identifiers);
    }

    void register(RoutesConfig routes) {
        routes.get("/conversations", ctx -> ctx.json(views.conversations(conversations.list())));
        routes.post("/conversations/create", ctx -> {
            JsonNode body = object(Bodies.json(ctx), "a SeededConversation");
            String type = Fields.text(body, "type", "COPILOT");
            if (!type.equals("COPILOT")) {
                throw ModeldException.invalid("type: COPILOT, the only kind of conversation modeld keeps");
            }
            String model = Fields.has(body, "model") ? referenced(body.get("model"), "model") : null;
            ctx.json(views.conversation(conversations.create(Fields.text(body, "name", null),
                    model == null ? null : copilotModel.resolve(model))));
        });
        routes.post("/conversations/{conversation}/delete", ctx -> {
            conversations.delete(ctx.pathParam("conversation"));
            ctx.status(204);
        });
        routes.get("/conversation/{conversation}", ctx ->
                ctx.json(views.conversation(conversations.get(ctx.pathParam("conversation")))));
        routes.post("/conversation/update", ctx -> {
            JsonNode body = object(Bodies.json(ctx), "a Conversation");
            Conversation c = conversations.get(Fields.requiredText(body, "id", "the conversation's id"));
            ctx.json(views.conversation(Fields.has(body, "name")
                    ? conversations.rename(c.id(), Fields.text(body, "name", null)) : c));
        });
        routes.get("/message/{message}", ctx -> ctx.json(views.message(conversations.message(ctx.pathParam("message")))));
        routes.post("/messages/create", ctx -> {
            JsonNode body = object(Bodies.json(ctx), "a SeededConversationMessage");
            String conversation = referenced(body.get("conversation"), "conversation");
            Role role = Role.parse(Fields.requiredText(body, "role", "USER, ASSISTANT or SYSTEM"));
            JsonNode raw = body.path("fragment").path("string").path("raw");
            if (!raw.isTextual()) {
                throw ModeldException.invalid("fragment.string.raw: required, the message's text");
            }
            String model = Fields.has(body, "model") ? copilotModel.resolve(referenced(body.get("model"), "model")) : null;
            ctx.json(views.message(conversations.append(conversation, role, raw.textValue(), model)));
        });
        routes.ws("/conversations/stream/identifiers", identifiers::configure);
        Sockets.upgradeOnly(routes, "/conversations/stream/identifiers", ctx -> { });
    }

    private static JsonNode object(JsonNode body, String what) {
        if (!body.isObject()) {
            throw ModeldException.invalid("body: " + what + " as a JSON object");
        }
        return body;
    }

    /** The id of a referenced thing ({@code {"id": ...}}), required. */
    private static String referenced(JsonNode ref, String field) {
        if (ref == null || !ref.isObject() || !ref.path("id").isTextual() || ref.path("id").textValue().isEmpty()) {
            throw ModeldException.invalid(field + ": required, an object with the id, {\"id\": \"...\"}");
        }
        return ref.path("id").textValue();
    }
}
