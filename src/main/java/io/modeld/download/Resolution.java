package io.modeld.download;

import io.modeld.catalog.Modelfile;
import java.util.List;

/**
 * What a source turned out to be when the download began: its files, the metadata that came with them
 * (a registry's template, system prompt, parameters, license) and what identifies this version of it at
 * the source (a manifest digest, an ETag), for later checks of whether it changed.
 */
record Resolution(List<Part> parts, Modelfile modelfile, String origin) {

    Resolution {
        parts = List.copyOf(parts);
    }

    /** The sum of the parts' sizes, or -1 while one is unknown. */
    long total() {
        long sum = 0;
        for (Part p : parts) {
            if (p.size() < 0) {
                return -1;
            }
            sum += p.size();
        }
        return sum;
    }
}
