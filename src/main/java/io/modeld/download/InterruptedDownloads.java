package io.modeld.download;

import io.modeld.ModeldException;
import io.modeld.catalog.ModelRecord;
import io.modeld.catalog.ModelService;
import io.modeld.config.DataDir;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The downloads a previous run left in {@code partial/}, at start: each resumes, or goes when it belongs to no
 * model or to one already downloaded. Each stands alone: one that cannot resume (its state unreadable, no
 * space) fails with its reason on its model, and the rest go on.
 */
final class InterruptedDownloads {

    private static final Logger LOG = LoggerFactory.getLogger(Downloads.class);

    private InterruptedDownloads() {
    }

    /** Looks at every folder of {@code partialRoot}; {@code start} starts a model's download again. */
    static void resume(Path partialRoot, ModelService models, Consumer<String> start) {
        List<Path> dirs;
        try (Stream<Path> listing = Files.list(partialRoot)) {
            dirs = listing.toList();
        } catch (IOException e) {
            LOG.warn("cannot look for interrupted downloads: {}", e.getMessage());
            return;
        }
        for (Path dir : dirs) {
            ModelRecord r = modelFor(models, dir.getFileName().toString());
            try {
                if (r == null || r.downloaded() || r.spec().source() == null) {
                    DataDir.deleteTree(dir);
                } else if (ResumeState.read(dir) == null) {
                    DataDir.deleteTree(dir);
                    String reason = "the interrupted download could not be resumed (its saved state in " + dir
                            + " was unreadable); download it again";
                    LOG.warn("model {}: {}", r.id(), reason);
                    models.markFailed(r.id(), reason);
                } else {
                    LOG.info("resuming the interrupted download of {}", r.spec().name());
                    start.accept(r.id());
                }
            } catch (IOException | RuntimeException e) {
                String reason = "the interrupted download could not be resumed: " + e.getMessage();
                LOG.warn("{}: {}", dir, reason);
                if (r != null) {
                    try {
                        models.markFailed(r.id(), reason);
                    } catch (RuntimeException again) {
                        LOG.warn("cannot record why {} did not resume: {}", r.id(), again.getMessage());
                    }
                }
            }
        }
    }

    private static ModelRecord modelFor(ModelService models, String dirName) {
        try {
            return models.get(UUID.fromString(dirName).toString());
        } catch (IllegalArgumentException | ModeldException e) {
            return null;
        }
    }
}
