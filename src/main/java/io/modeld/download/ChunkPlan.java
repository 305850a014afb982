package io.modeld.download;

import java.util.ArrayList;
import java.util.List;

/**
 * How a file is cut into byte ranges and how far each range has been written.
 *
 * <p>Chunks are handed out lowest offset first, so the bytes written form a prefix that grows steadily
 * and can be hashed while the download runs. When no chunk is left to hand out, a free connection takes
 * the far half of the chunk with the most bytes left, so one slow connection never holds up the end.
 * All methods synchronize on the plan: workers report after every buffer, which is cheap next to I/O.
 */
final class ChunkPlan {

    /** Splits leave at least this much on each side, more than one read buffer, so writes never overlap. */
    static final long MIN_SPLIT = 2L << 20;

    static final class Chunk {
        final long start;
        long end;
        long filled;
        boolean assigned;

        Chunk(long start, long end, long filled) {
            this.start = start;
            this.end = end;
            this.filled = filled;
        }

        long position() {
            return start + filled;
        }

        boolean done() {
            return start + filled >= end;
        }
    }

    /** One chunk's state as persisted for resume. */
    record Saved(long start, long end, long filled) {
    }

    private final long size;
    private final List<Chunk> chunks = new ArrayList<>();

    private ChunkPlan(long size) {
        this.size = size;
    }

    /** A fresh plan: chunks of about size / (connections × 8), between 1 MiB and 32 MiB. */
    static ChunkPlan fresh(long size, int connections) {
        long chunk = Math.max(1L << 20, Math.min(32L << 20, size / Math.max(1, connections * 8L)));
        ChunkPlan plan = new ChunkPlan(size);
        for (long start = 0; start < size; start += chunk) {
            plan.chunks.add(new Chunk(start, Math.min(size, start + chunk), 0));
        }
        if (size == 0) {
            plan.chunks.add(new Chunk(0, 0, 0));
        }
        return plan;
    }

    /** One chunk for the whole file: for servers without ranges, which can only send it from the start. */
    static ChunkPlan single(long size) {
        ChunkPlan plan = new ChunkPlan(size);
        plan.chunks.add(new Chunk(0, size, 0));
        return plan;
    }

    /** A plan resumed from saved state; null when the state does not describe a file of this size. */
    static ChunkPlan resumed(long size, List<Saved> saved) {
        ChunkPlan plan = new ChunkPlan(size);
        long expect = 0;
        for (Saved s : saved) {
            if (s.start() != expect || s.end() < s.start() || s.filled() < 0 || s.filled() > s.end() - s.start()) {
                return null;
            }
            plan.chunks.add(new Chunk(s.start(), s.end(), s.filled()));
            expect = s.end();
        }
        return expect == size && !saved.isEmpty() ? plan : null;
    }

    long size() {
        return size;
    }

    /** The next chunk to fetch, or null when every byte is written or being written. */
    synchronized Chunk next() {
        for (Chunk c : chunks) {
            if (!c.assigned && !c.done()) {
                c.assigned = true;
                return c;
            }
        }
        Chunk widest = null;
        for (Chunk c : chunks) {
            if (c.assigned && !c.done() && (widest == null || c.end - c.position() > widest.end - widest.position())) {
                widest = c;
            }
        }
        if (widest == null || widest.end - widest.position() < 2 * MIN_SPLIT) {
            return null;
        }
        long mid = widest.position() + (widest.end - widest.position()) / 2;
        Chunk tail = new Chunk(mid, widest.end, 0);
        widest.end = mid;
        tail.assigned = true;
        chunks.add(chunks.indexOf(widest) + 1, tail);
        return tail;
    }

    /** How many bytes the worker of {@code c} may still write: its end may move closer when split. */
    synchronized long remaining(Chunk c) {
        return Math.max(0, c.end - c.position());
    }

    synchronized void written(Chunk c, long n) {
        c.filled += n;
    }

    /** Gives a chunk back after a failed attempt, so that another attempt resumes where it stopped. */
    synchronized void release(Chunk c) {
        c.assigned = false;
    }

    synchronized long downloaded() {
        long sum = 0;
        for (Chunk c : chunks) {
            sum += c.filled;
        }
        return sum;
    }

    /** Every byte below this offset is written. */
    synchronized long contiguous() {
        long end = 0;
        for (Chunk c : chunks) {
            if (!c.done()) {
                return c.position();
            }
            end = c.end;
        }
        return end;
    }

    synchronized boolean complete() {
        return chunks.stream().allMatch(Chunk::done);
    }

    synchronized List<Saved> save() {
        return chunks.stream().map(c -> new Saved(c.start, c.end, c.filled)).toList();
    }
}
