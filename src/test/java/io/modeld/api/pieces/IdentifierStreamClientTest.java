package io.modeld.api.pieces;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Session;
import org.junit.jupiter.api.Test;
import io.modeld.api.Outbox;

/**
 * A client of the identifiers stream that never reads: its WebSocket never completes a send. That is
 * the point of the stand-in session here, which records sends and completes them only when told.
 */
class IdentifierStreamClientTest {

    private final List<String> sent = new ArrayList<>();
    private final List<Callback> pending = new ArrayList<>();
    private final Session stuck = (Session) Proxy.newProxyInstance(Session.class.getClassLoader(),
            new Class<?>[] {Session.class}, (proxy, method, args) -> switch (method.getName()) {
                case "isOpen" -> true;
                case "sendText" -> {
                    sent.add((String) args[0]);
                    pending.add((Callback) args[1]);
                    yield null;
                }
                default -> throw new UnsupportedOperationException(method.getName());
            });

    private final Outbox<IdentifierStream.Change> client = new Outbox<>(stuck, new IdentifierStream.Changed(Map::toString));

    @Test
    void a_client_that_never_reads_holds_one_entry_per_model_and_then_gets_them_all_in_one_frame() {
        client.offer(new IdentifierStream.Change("first", false));
        for (int i = 0; i < 10_000; i++) {
            client.offer(new IdentifierStream.Change("model-" + (i % 50), false));
        }
        client.offer(new IdentifierStream.Change("model-7", true));
        assertThat(sent).as("one frame in flight, nothing queued behind it in the socket").hasSize(1);

        pending.get(0).succeed();
        assertThat(sent).hasSize(2);
        String next = sent.get(1);
        for (int m = 0; m < 50; m++) {
            assertThat(next).contains("model-" + m + "=");
        }
        assertThat(next).contains("model-7=true").contains("model-8=false").doesNotContain("first");

        pending.get(1).succeed();
        assertThat(sent).as("nothing more was waiting").hasSize(2);
        client.offer(new IdentifierStream.Change("late", false));
        assertThat(sent).hasSize(3);
        assertThat(sent.get(2)).isEqualTo("{late=false}");
    }
}
