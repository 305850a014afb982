package io.modeld.registry;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.modeld.Json;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Pushes an image (config blob, layers, manifest) to a registry as OCI Distribution defines it: a blob
 * the repository has (HEAD) is skipped; one in another repository of that registry is mounted
 * ({@code ?mount=&from=}); others are uploaded in chunks of {@link #CHUNK} (POST, then PATCH with
 * {@code Content-Range}, then PUT with the digest). A chunk that fails is resumed where the registry
 * says the upload stands (GET on the upload's URL answers its {@code Range}). The manifest goes last,
 * once every blob it names is there.
 */
public final class RegistryPush {

    /** Bytes per PATCH: large enough for few requests, small enough that a failure repeats little. */
    static final long CHUNK = 32L << 20;
    private static final int ATTEMPTS = 5;
    private static final Pattern RANGE = Pattern.compile("(?:bytes=)?0-(\\d+)");

    /** A blob to push: from a file or from bytes in memory. */
    public record Blob(String mediaType, String digest, long size, Path file, byte[] bytes) {
        public static Blob of(String mediaType, byte[] bytes) {
            return new Blob(mediaType, "sha256:" + RegistryClient.sha256(bytes), bytes.length, null, bytes);
        }
    }

    /** Hears how the push goes: bytes sent of all blobs, the blob being pushed, then the manifest. */
    public interface Progress {
        void sent(long bytes, long total);

        /** The blob ({@code sha256:...}) being pushed now; null once the manifest is. */
        void blob(String digest);
    }

    private RegistryPush() {
    }

    /**
     * Pushes {@code layers} with {@code config} and a manifest of {@code manifestType} to {@code target};
     * {@code mountFrom} is a repository of the same registry that may already hold the blobs, or null.
     * Returns the manifest's digest.
     */
    public static String push(RegistryClient client, RegistryRef target, String manifestType, Blob config,
                              List<Blob> layers, String mountFrom, Progress progress, BooleanSupplier canceled)
            throws RegistryException {
        long total = config.size() + layers.stream().mapToLong(Blob::size).sum();
        long[] sent = {0};
        for (Blob b : concat(config, layers)) {
            if (canceled.getAsBoolean()) {
                throw new RegistryException("canceled", false);
            }
            progress.blob(b.digest());
            long before = sent[0];
            pushBlob(client, target, b, mountFrom, n -> progress.sent(sent[0] = before + n, total), canceled);
            sent[0] = before + b.size();
            progress.sent(sent[0], total);
        }
        progress.blob(null);
        ObjectNode m = Json.MAPPER.createObjectNode().put("schemaVersion", 2).put("mediaType", manifestType);
        m.set("config", descriptor(config));
        ArrayNode list = m.putArray("layers");
        layers.forEach(l -> list.add(descriptor(l)));
        byte[] body;
        try {
            body = Json.MAPPER.writeValueAsBytes(m);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        HttpResponse<byte[]> r = client.send(target, "pull,push", HttpRequest.newBuilder(
                client.manifestUri(target, target.tag())).header("Content-Type", manifestType)
                .PUT(HttpRequest.BodyPublishers.ofByteArray(body)));
        RegistryClient.check(r, target, "the manifest " + target.repository() + ":" + target.tag());
        return "sha256:" + RegistryClient.sha256(body);
    }

    private static List<Blob> concat(Blob first, List<Blob> rest) {
        java.util.ArrayList<Blob> all = new java.util.ArrayList<>();
        all.add(first);
        all.addAll(rest);
        return all;
    }

    private static ObjectNode descriptor(Blob b) {
        return Json.MAPPER.createObjectNode().put("mediaType", b.mediaType()).put("digest", b.digest()).put("size", b.size());
    }

    private interface Sent {
        void bytes(long n);
    }

    private static void pushBlob(RegistryClient client, RegistryRef target, Blob b, String mountFrom, Sent sent,
                                 BooleanSupplier canceled) throws RegistryException {
        URI blob = client.blobUri(target, b.digest());
        HttpResponse<byte[]> head = client.send(target, "pull,push", HttpRequest.newBuilder(blob)
                .method("HEAD", HttpRequest.BodyPublishers.noBody()));
        if (head.statusCode() == 200) {
            return;   // the repository has it
        }
        String uploads = client.base(target).resolve(target.repository() + "/blobs/uploads/").toString();
        if (mountFrom != null && !mountFrom.equals(target.repository())) {
            uploads += "?mount=" + b.digest() + "&from=" + mountFrom;
        }
        HttpResponse<byte[]> started = client.send(target, "pull,push", HttpRequest.newBuilder(URI.create(uploads))
                .POST(HttpRequest.BodyPublishers.noBody()));
        if (started.statusCode() == 201) {
            return;   // mounted from the other repository
        }
        RegistryClient.check(started, target, "an upload to " + target.repository());
        URI location = location(client, target, started);
        long offset = 0;
        int failures = 0;
        while (offset < b.size()) {
            if (canceled.getAsBoolean()) {
                throw new RegistryException("canceled", false);
            }
            long length = Math.min(CHUNK, b.size() - offset);
            long from = offset;
            try {
                HttpResponse<byte[]> r = client.send(target, "pull,push", HttpRequest.newBuilder(location)
                        .header("Content-Type", "application/octet-stream")
                        .header("Content-Range", from + "-" + (from + length - 1))
                        .method("PATCH", HttpRequest.BodyPublishers.fromPublisher(
                                HttpRequest.BodyPublishers.ofInputStream(() -> open(b, from, length, sent)), length)));
                RegistryClient.check(r, target, "a chunk of " + b.digest());
                location = location(client, target, r);
                offset = from + length;
                failures = 0;
            } catch (RegistryException e) {
                if (!e.retryable() || ++failures >= ATTEMPTS) {
                    throw e;
                }
                offset = uploaded(client, target, location);   // resume where the registry says it stands
            }
        }
        String sep = location.getRawQuery() == null ? "?" : "&";
        HttpResponse<byte[]> done = client.send(target, "pull,push", HttpRequest.newBuilder(
                URI.create(location + sep + "digest=" + b.digest())).PUT(HttpRequest.BodyPublishers.noBody()));
        RegistryClient.check(done, target, "the end of the upload of " + b.digest());
    }

    /** How many bytes of an interrupted upload the registry has. */
    private static long uploaded(RegistryClient client, RegistryRef target, URI location) throws RegistryException {
        HttpResponse<byte[]> r = client.send(target, "pull,push", HttpRequest.newBuilder(location).GET());
        RegistryClient.check(r, target, "the state of an upload");
        Matcher m = RANGE.matcher(r.headers().firstValue("Range").orElse(""));
        return m.matches() ? Long.parseLong(m.group(1)) + 1 : 0;
    }

    /**
     * Where the upload goes on: the registry's own origin gets its login, any other none (the client
     * sends it only to the registry's origin); an https registry that points an upload at plain http is
     * refused, as are schemes other than http and https.
     */
    private static URI location(RegistryClient client, RegistryRef target, HttpResponse<byte[]> r) throws RegistryException {
        String loc = r.headers().firstValue("Docker-Upload-Location").or(() -> r.headers().firstValue("Location"))
                .orElseThrow(() -> new RegistryException(target.host() + " gave no upload location", false));
        URI base = client.base(target);
        URI next;
        try {
            next = base.resolve(loc.strip());
        } catch (IllegalArgumentException e) {
            throw new RegistryException(target.host() + " gave an invalid upload location", false);
        }
        String scheme = next.getScheme() == null ? "" : next.getScheme().toLowerCase(java.util.Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https") || next.getHost() == null) {
            throw new RegistryException(target.host() + " gave an upload location that is not http or https", false);
        }
        if (base.getScheme().equals("https") && scheme.equals("http")) {
            throw new RegistryException(target.host() + " sent the upload to plain http (" + next.getHost()
                    + "); modeld never falls back from https to http", false);
        }
        return next;
    }

    private static InputStream open(Blob b, long from, long length, Sent sent) {
        InputStream raw;
        if (b.bytes() != null) {
            raw = new java.io.ByteArrayInputStream(b.bytes(), (int) from, (int) length);
        } else {
            try {
                FileChannel ch = FileChannel.open(b.file(), StandardOpenOption.READ);
                ch.position(from);
                raw = Channels.newInputStream(ch);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
        return new FilterInputStream(raw) {
            private long read;

            @Override
            public int read(byte[] buf, int off, int len) throws IOException {
                int n = super.read(buf, off, (int) Math.min(len, length - read));
                if (n > 0) {
                    read += n;
                    sent.bytes(from + read);
                }
                return read >= length && n <= 0 ? -1 : n;
            }

            @Override
            public int read() throws IOException {
                byte[] one = new byte[1];
                return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
            }
        };
    }
}
