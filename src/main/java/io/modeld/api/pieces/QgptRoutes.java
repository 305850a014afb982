package io.modeld.api.pieces;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.config.RoutesConfig;
import io.javalin.websocket.WsContext;
import io.modeld.Json;
import io.modeld.ModeldException;
import io.modeld.api.Bodies;
import io.modeld.api.ErrorStyle;
import io.modeld.api.Fields;
import io.modeld.api.Outbox;
import io.modeld.api.Sockets;
import io.modeld.catalog.ModelStore;
import io.modeld.copilot.Conversation;
import io.modeld.copilot.Conversations;
import io.modeld.copilot.Copilot;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * QGPT, the Pieces SDKs' questions: the WebSocket {@code /qgpt/stream} and {@code POST /qgpt/question}.
 *
 * <p>A socket takes many questions, answered one after another in the order they came (its frames carry
 * no request id, so the SDK reads one answer at a time). Each answer is IN-PROGRESS frames holding the next
 * piece of text ({@code text} and {@code score}, both required by the SDK), then exactly one terminal frame:
 * COMPLETED, STOPPED (after {@code {"stop": true}}) or FAILED with {@code errorMessage} and {@code statusCode}.
 * Every frame names its conversation (the SDK drops a frame without one and then waits for ever); a question
 * refused before a conversation existed names the one it gave, or "". The server never closes the socket:
 * the SDK's client cannot reopen it.
 */
final class QgptRoutes {

    private static final Logger LOG = LoggerFactory.getLogger(QgptRoutes.class);
    /** Frames one socket may have waiting: far more than an answer's tokens; beyond it the oldest go. */
    private static final int MAX_FRAMES = 1 << 16;

    private final Copilot copilot;

    QgptRoutes(Copilot copilot) {
        this.copilot = copilot;
    }

    void register(RoutesConfig routes) {
        routes.ws("/qgpt/stream", ws -> {
            ws.onConnect(ctx -> {
                ctx.session.setIdleTimeout(Duration.ZERO);
                // a frame is a request body: the HTTP doors' bound
                ctx.session.setMaxTextMessageSize(Bodies.MAX);
                ctx.attribute("asker", new Asker(Outbox.queue(ctx, MAX_FRAMES)));
            });
            ws.onMessage(ctx -> asker(ctx).received(ctx.message()));
            ws.onClose(ctx -> asker(ctx).close());
            ws.onError(ctx -> asker(ctx).close());
        });
        Sockets.upgradeOnly(routes, "/qgpt/stream", ctx -> { });
        routes.post("/qgpt/question", ctx -> {
            JsonNode body = Bodies.json(ctx);
            if (!body.isObject()) {
                throw ModeldException.invalid("body: a QGPTQuestionInput as a JSON object");
            }
            String answer = copilot.answer(Fields.text(body, "model", null), Fields.text(body, "query", null));
            ObjectNode out = Json.MAPPER.createObjectNode();
            out.putObject("answers").putArray("iterable").addObject().put("text", answer).put("score", 1);
            ctx.json(out);
        });
    }

    private static Asker asker(WsContext ctx) {
        return ctx.attribute("asker");
    }

    /**
     * Threads that answer questions, shared by every socket: one lives only while a question is answered (a
     * thread per socket, idle or not, was one per SDK client connected).
     */
    private final ExecutorService answerers = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "qgpt-answer");
        t.setDaemon(true);
        return t;
    });

    /** One socket's questions: answered in turn on the shared threads, and the stop flag of the one being answered. */
    private final class Asker implements AutoCloseable {
        private final Outbox<Object> out;
        /** Questions waiting their turn; one runs at a time. */
        private final java.util.ArrayDeque<Copilot.Question> queue = new java.util.ArrayDeque<>();
        private boolean running;
        private final AtomicReference<AtomicBoolean> answering = new AtomicReference<>();
        private volatile boolean closed;

        Asker(Outbox<Object> out) {
            this.out = out;
        }

        void received(String text) {
            JsonNode in;
            try {
                in = Json.MAPPER.readTree(text);
            } catch (java.io.IOException e) {
                out.offer(failed("", 400, "a QGPTStreamInput as JSON: " + e.getMessage()));
                return;
            }
            if (!in.isObject()) {
                out.offer(failed("", 400, "a QGPTStreamInput as a JSON object"));
                return;
            }
            String conversation = in.path("conversation").isTextual() ? in.path("conversation").textValue() : null;
            if (in.path("stop").asBoolean(false)) {
                AtomicBoolean current = answering.get();
                if (current != null) {
                    current.set(true);
                }
                return;
            }
            JsonNode q = in.path("relevance").isObject() ? in.path("relevance") : in.path("question");
            String query = q.path("query").isTextual() ? q.path("query").textValue() : null;
            String model = q.path("model").isTextual() ? q.path("model").textValue() : null;
            synchronized (queue) {
                queue.add(new Copilot.Question(conversation, model, query));
                if (running) {
                    return;
                }
                running = true;
            }
            answerers.execute(this::drain);
        }

        /** Answers the questions queued, in order, until none is left. */
        private void drain() {
            while (true) {
                Copilot.Question q;
                synchronized (queue) {
                    q = queue.poll();
                    if (q == null) {
                        running = false;
                        return;
                    }
                }
                answer(q);
            }
        }

        private void answer(Copilot.Question q) {
            if (closed) {
                return;
            }
            AtomicBoolean stop = new AtomicBoolean();
            answering.set(stop);
            String[] conversation = {q.conversation() == null ? "" : q.conversation()};
            try {
                Copilot.Reply reply = copilot.ask(q, new Copilot.Listener() {
                    @Override
                    public void conversation(Conversation c) {
                        conversation[0] = c.id();
                    }

                    @Override
                    public void text(String piece) {
                        out.offer(delta(conversation[0], piece));
                    }
                }, stop::get);
                out.offer(Json.MAPPER.createObjectNode().put("conversation",
                                reply.conversation() == null ? conversation[0] : reply.conversation().id())
                        .put("status", reply.stopped() ? "STOPPED" : "COMPLETED"));
            } catch (ModeldException e) {
                out.offer(failed(conversation[0], ErrorStyle.PIECES.status(e.kind()), ErrorStyle.PIECES.describe(e)));
            } catch (ModelStore.StoreException e) {
                LOG.warn("a question could not be kept: {}", e.getMessage());
                out.offer(failed(conversation[0], e.diskFull() ? 507 : 500, e.getMessage()));
            } catch (RuntimeException e) {
                LOG.error("bug: a question failed", e);
                out.offer(failed(conversation[0], 500, "internal error: " + e));
            } finally {
                answering.compareAndSet(stop, null);
            }
        }

        @Override
        public void close() {
            closed = true;
            AtomicBoolean current = answering.get();
            if (current != null) {
                current.set(true);
            }
            synchronized (queue) {
                queue.clear();
            }
        }
    }

    private static ObjectNode delta(String conversation, String text) {
        ObjectNode frame = Json.MAPPER.createObjectNode().put("conversation", conversation).put("status", "IN-PROGRESS");
        frame.putObject("question").putObject("answers").putArray("iterable").addObject().put("text", text)
                .put("score", 0);
        return frame;
    }

    private static ObjectNode failed(String conversation, int status, String message) {
        return Json.MAPPER.createObjectNode().put("conversation", conversation).put("status", "FAILED")
                .put("errorMessage", message).put("statusCode", status);
    }
}
