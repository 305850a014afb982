package io.modeld.download;

import io.modeld.catalog.Modelfile;
import java.util.List;

/**
 * What a source turned out to be when the download began: its files, its projector (images, audio; null for
 * none), the metadata that came with them (a registry's template, system prompt, parameters, license) and what
 * identifies this version of it at the source (a manifest digest, an ETag), for later checks of whether it changed.
 */
record Resolution(List<Part> parts, Part projector, Modelfile modelfile, String origin) {

    /** What the projector is named beside the model's files (as the store finds it). */
    static final String PROJECTOR = io.modeld.catalog.ModelRecord.PROJECTOR_FILE;

    Resolution {
        parts = List.copyOf(parts);
    }

    Resolution(List<Part> parts, Modelfile modelfile, String origin) {
        this(parts, null, modelfile, origin);
    }

    /** The files to fetch: the parts, then the projector. */
    List<Part> files() {
        if (projector == null) {
            return parts;
        }
        List<Part> all = new java.util.ArrayList<>(parts);
        all.add(projector);
        return all;
    }

    /** The sum of the files' sizes, or -1 while one is unknown. */
    long total() {
        long sum = 0;
        for (Part p : files()) {
            if (p.size() < 0) {
                return -1;
            }
            sum += p.size();
        }
        return sum;
    }
}
