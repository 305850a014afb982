package io.modeld.download;

import io.modeld.catalog.ModelRecord;
import io.modeld.catalog.ModelSource;
import io.modeld.registry.RegistryException;
import io.modeld.registry.RegistryRef;
import java.util.List;

/**
 * Whether downloaded models changed at their source: a registry's manifest digest now (a HEAD), or an
 * HTTPS file's {@code X-Linked-Etag} (Hugging Face's SHA-256 of the file) or {@code ETag}, beside what was
 * recorded when the file was downloaded. Local files, models used in place and models without a
 * recorded version (downloaded before modeld recorded one) are not checked against anything but the
 * file's own SHA-256 where the source tells one.
 */
public final class Updates {

    /** One model: what it has, what its source has now, and whether they differ (null: cannot tell). */
    public record Check(String id, String name, String source, String current, String latest, Boolean outdated,
                        String error) {
    }

    private final DownloadSettings settings;

    Updates(DownloadSettings settings) {
        this.settings = settings;
    }

    /** The models that can be checked, each checked (in parallel: every check is one request). */
    List<Check> check(List<ModelRecord> models) {
        return models.parallelStream()
                .filter(r -> r.downloaded() && r.inPlace() == null && r.spec().source() != null
                        && !r.spec().source().url().regionMatches(true, 0, "file:", 0, 5))
                .map(this::check).toList();
    }

    Check check(ModelRecord r) {
        ModelSource source = r.spec().source();
        String current = r.file().origin();
        if (source.url().regionMatches(true, 0, "file:", 0, 5)) {
            return new Check(r.id(), r.spec().name(), source.url(), current, null, null, null);
        }
        try {
            String latest;
            if (RegistryRef.isRegistry(source.url())) {
                latest = settings.registry().manifestDigest(RegistryRef.parse(source.url()));
            } else {
                ResolvedSource resolved = ResolvedSource.of(source, settings.hfEndpoint());
                HttpSource http = new HttpSource(resolved.uri(),
                        Authorizer.fixed(settings.authorization().apply(resolved.uri())), settings.stallTimeout());
                HttpSource.Remote remote = http.probe();
                latest = remote.linkedSha256() != null ? remote.linkedSha256() : remote.validator();
                if (current == null && remote.linkedSha256() != null) {
                    current = r.file().sha256();   // Hugging Face tells the file's own SHA-256
                }
            }
            Boolean outdated = current == null || latest == null ? null : !current.equals(latest);
            return new Check(r.id(), r.spec().name(), source.url(), current, latest, outdated, null);
        } catch (RegistryException | DownloadException e) {
            return new Check(r.id(), r.spec().name(), source.url(), current, null, null, e.getMessage());
        }
    }
}
