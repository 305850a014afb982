import io.modeld.testing.Subscribers;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One download watched by N progress subscribers, against a running daemon: seconds from POST download
 * to the terminal frame of one extra observer. Prints: subscribers, seconds, terminal status, how many
 * subscribers saw COMPLETED, model id. Run by bench/subscribers.sh with the test classes on the
 * class path: SubscribersBench <port> <file URL> <sha256> <bytes> <subscribers,...> <rounds>
 */
public class SubscribersBench {

    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[0]);
        String url = args[1];
        String sha = args[2];
        long bytes = Long.parseLong(args[3]);
        String[] counts = args[4].split(",");
        int rounds = Integer.parseInt(args[5]);
        HttpClient client = HttpClient.newHttpClient();
        int run = 0;
        for (int round = 0; round < rounds; round++) {
            for (String c : counts) {
                int n = Integer.parseInt(c);
                String id = create(client, port, "sub-" + run, url + "?run=" + run++, sha, bytes);
                try (Subscribers watchers = Subscribers.open(client, port, id, n);
                     Subscribers observer = Subscribers.open(client, port, id, 1)) {
                    long t0 = System.nanoTime();
                    post(client, port, "/model/" + id + "/download");
                    while (observer.ended() < 1 || watchers.ended() < n) {
                        Thread.sleep(5);
                    }
                    double seconds = (observer.all().get(0).terminalNanos() - t0) / 1e9;
                    String status = observer.all().get(0).terminal();
                    long complete = watchers.all().stream().filter(s -> "COMPLETED".equals(s.terminal())).count();
                    System.out.printf("%d %.3f %s %d %s%n", n, seconds, status, complete, id);
                }
                post(client, port, "/models/" + id + "/delete");
            }
        }
    }

    private static String create(HttpClient client, int port, String name, String url, String sha, long bytes)
            throws Exception {
        String body = "{\"name\": \"" + name + "\", \"unique\": \"" + name + "\", \"source\": {\"url\": \"" + url
                + "\", \"sha256\": \"" + sha + "\"}, \"bytes\": {\"value\": " + bytes + "}}";
        HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
                + "/models/create")).POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
        Matcher m = Pattern.compile("\"id\":\"([0-9a-f-]+)\"").matcher(r.body());
        if (!m.find()) {
            throw new IllegalStateException("create failed: " + r.statusCode() + " " + r.body());
        }
        return m.group(1);
    }

    private static void post(HttpClient client, int port, String path) throws Exception {
        client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.discarding());
    }
}
