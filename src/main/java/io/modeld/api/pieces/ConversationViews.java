package io.modeld.api.pieces;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.modeld.Json;
import io.modeld.api.schema.GroupedTimestamp;
import io.modeld.api.schema.Schema;
import io.modeld.copilot.Conversation;
import io.modeld.copilot.Message;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * Conversations and their messages as the Pieces SDKs read them: Conversation (its messages as ids with
 * their {@code indices}, in order; no assets or anchors, which the SDK's client requires to come with
 * indices of their own), ConversationMessage (the text in {@code fragment.string.raw}) and the
 * StreamedIdentifiers of conversations. Timestamps are UTC with a {@code Z}: the client sorts them.
 */
final class ConversationViews {

    private final Schema schema;
    private final JsonNode schemaJson;

    ConversationViews(Schema schema) {
        this.schema = schema;
        this.schemaJson = Json.MAPPER.valueToTree(schema);
    }

    ObjectNode conversation(Conversation c) {
        ObjectNode n = Json.MAPPER.createObjectNode();
        n.set("schema", schemaJson);
        n.put("id", c.id());
        if (c.name() != null) {
            n.put("name", c.name());
        }
        n.put("type", "COPILOT");
        n.set("created", time(c.created()));
        n.set("updated", time(c.updated()));
        if (c.model() != null) {
            n.putObject("model").put("id", c.model());
        }
        ObjectNode messages = n.putObject("messages");
        ArrayNode iterable = messages.putArray("iterable");
        ObjectNode indices = messages.putObject("indices");
        for (int i = 0; i < c.messages().size(); i++) {
            iterable.addObject().put("id", c.messages().get(i));
            indices.put(c.messages().get(i), i);
        }
        return n;
    }

    ObjectNode conversations(List<Conversation> all) {
        ObjectNode n = Json.MAPPER.createObjectNode();
        n.set("schema", schemaJson);
        ArrayNode iterable = n.putArray("iterable");
        all.forEach(c -> iterable.add(conversation(c)));
        return n;
    }

    ObjectNode message(Message m) {
        ObjectNode n = Json.MAPPER.createObjectNode();
        n.set("schema", schemaJson);
        n.put("id", m.id());
        n.putObject("conversation").put("id", m.conversation());
        n.set("created", time(m.created()));
        n.set("updated", time(m.updated()));
        n.put("role", m.role().name());
        n.putObject("fragment").putObject("string").put("raw", m.text());
        return n;
    }

    /** StreamedIdentifiers of conversations, each with whether it was deleted. */
    String identifiers(Map<String, Boolean> changed) {
        ObjectNode n = Json.MAPPER.createObjectNode();
        n.set("schema", schemaJson);
        ArrayNode iterable = n.putArray("iterable");
        changed.forEach((id, deleted) -> {
            ObjectNode item = iterable.addObject();
            item.putObject("conversation").put("id", id);
            if (deleted) {
                item.put("deleted", true);
            }
        });
        return n.toString();
    }

    private JsonNode time(Instant instant) {
        return Json.MAPPER.valueToTree(GroupedTimestamp.of(schema, instant));
    }
}
