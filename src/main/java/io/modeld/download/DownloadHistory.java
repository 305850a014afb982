package io.modeld.download;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Each model's last download as points (time, bytes, speed, status), at most one every
 * {@value #EVERY_MS} ms and {@value #KEPT} in all, kept in memory for the model page's chart. A new
 * download of the model starts a new history.
 */
public final class DownloadHistory {

    static final long EVERY_MS = 250;
    static final int KEPT = 2400;

    /** One point: epoch ms, bytes so far, bytes a second then, status. */
    public record Point(long at, long bytes, long bytesPerSecond, String status) {
    }

    private final Map<String, Deque<Point>> byModel = new ConcurrentHashMap<>();

    void record(String id, DownloadProgress p) {
        long now = System.currentTimeMillis();
        Deque<Point> points = byModel.computeIfAbsent(id, k -> new ArrayDeque<>());
        synchronized (points) {
            Point last = points.peekLast();
            if (last != null && last.status().equals(DownloadStatus.IN_PROGRESS.wire())
                    && p.status() == DownloadStatus.IN_PROGRESS && now - last.at() < EVERY_MS) {
                return;
            }
            if (last != null && last.status().equals(DownloadStatus.COMPLETED.wire()) || last != null
                    && p.status() == DownloadStatus.INITIALIZED) {
                points.clear();
            }
            points.addLast(new Point(now, p.downloaded(), p.bytesPerSecond(), p.status().wire()));
            while (points.size() > KEPT) {
                points.removeFirst();
            }
        }
    }

    List<Point> of(String id) {
        Deque<Point> points = byModel.get(id);
        if (points == null) {
            return List.of();
        }
        synchronized (points) {
            return List.copyOf(points);
        }
    }
}
