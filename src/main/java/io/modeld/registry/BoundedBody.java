package io.modeld.registry;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;

/**
 * A response body read into memory up to a limit: past it (or when Content-Length already says more) the
 * transfer is cancelled and the request fails with {@link TooLarge}. A registry, its token service or
 * anything a redirect leads to can answer with any size; only what fits the limit is ever buffered.
 */
final class BoundedBody {

    /** The body was larger than the limit; nothing of it is kept. */
    static final class TooLarge extends IOException {
        final long limit;

        TooLarge(long limit) {
            super("the answer was larger than " + limit + " bytes");
            this.limit = limit;
        }
    }

    private BoundedBody() {
    }

    static HttpResponse.BodyHandler<byte[]> upTo(long limit) {
        return info -> new Reader(limit, info.headers().firstValueAsLong("Content-Length").orElse(-1) > limit);
    }

    private static final class Reader implements HttpResponse.BodySubscriber<byte[]> {
        private final long limit;
        private final boolean refused;
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();
        private final CompletableFuture<byte[]> body = new CompletableFuture<>();
        private Flow.Subscription subscription;

        Reader(long limit, boolean refused) {
            this.limit = limit;
            this.refused = refused;
        }

        @Override
        public void onSubscribe(Flow.Subscription s) {
            subscription = s;
            if (refused) {
                s.cancel();
                body.completeExceptionally(new TooLarge(limit));
            } else {
                s.request(Long.MAX_VALUE);
            }
        }

        @Override
        public void onNext(List<ByteBuffer> items) {
            if (body.isDone()) {
                return;
            }
            for (ByteBuffer b : items) {
                if (out.size() + (long) b.remaining() > limit) {
                    subscription.cancel();
                    body.completeExceptionally(new TooLarge(limit));
                    return;
                }
                byte[] chunk = new byte[b.remaining()];
                b.get(chunk);
                out.writeBytes(chunk);
            }
        }

        @Override
        public void onError(Throwable t) {
            body.completeExceptionally(t);
        }

        @Override
        public void onComplete() {
            body.complete(out.toByteArray());
        }

        @Override
        public CompletionStage<byte[]> getBody() {
            return body;
        }
    }

    /** The {@link TooLarge} behind a failure, or null. */
    static TooLarge cause(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof TooLarge tl) {
                return tl;
            }
        }
        return null;
    }
}
