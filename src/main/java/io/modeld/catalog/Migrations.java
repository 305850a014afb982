package io.modeld.catalog;

import java.util.List;

/**
 * The store's schema, one numbered step at a time. A step is never edited once released: changes
 * are new steps. The number of the last step is the {@code schema.migration} of every JSON object.
 */
final class Migrations {

    static final List<String> STEPS = List.of(
            // 1: models, their spec as JSON, and the state that survives restarts.
            """
            CREATE TABLE models (
              id          TEXT PRIMARY KEY,
              unique_name TEXT UNIQUE,
              custom      INTEGER NOT NULL,
              created     TEXT NOT NULL,
              spec        TEXT NOT NULL,
              downloaded  INTEGER NOT NULL DEFAULT 0,
              file_name   TEXT
            )
            """,
            // 2: the verified file's size and digest, and why the last download failed.
            """
            ALTER TABLE models ADD COLUMN file_size INTEGER;
            ALTER TABLE models ADD COLUMN file_sha256 TEXT;
            ALTER TABLE models ADD COLUMN failure TEXT;
            """,
            // 3: what identified the downloaded version at its source (manifest digest, ETag).
            """
            ALTER TABLE models ADD COLUMN file_origin TEXT;
            """);

    static final int LATEST = STEPS.size();

    private Migrations() {
    }
}
