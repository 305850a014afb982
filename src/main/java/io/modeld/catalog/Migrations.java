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
            """,
            // 4: how many files a downloaded model has, recorded rather than read from its (client-chosen) name.
            // Before, only a registry's shards were split, named <stem>-00001-of-0000N.gguf by modeld itself.
            """
            ALTER TABLE models ADD COLUMN file_parts INTEGER NOT NULL DEFAULT 1;
            UPDATE models SET file_parts = CAST(substr(file_name, -10, 5) AS INTEGER)
              WHERE downloaded = 1 AND file_name GLOB '*-00001-of-[0-9][0-9][0-9][0-9][0-9].gguf'
                AND (json_extract(spec, '$.source.url') GLOB 'oci://*'
                  OR json_extract(spec, '$.source.url') GLOB 'ollama://*'
                  OR (json_extract(spec, '$.source.url') GLOB 'hf://*'
                      AND json_extract(spec, '$.source.url') NOT GLOB 'hf://*/*/*'))
            """,
            // 5: Pieces Copilot's conversations and their messages, in order (io.modeld.copilot).
            """
            CREATE TABLE conversations (
              id      TEXT PRIMARY KEY,
              name    TEXT,
              model   TEXT,
              created TEXT NOT NULL,
              updated TEXT NOT NULL
            );
            CREATE TABLE messages (
              id           TEXT PRIMARY KEY,
              conversation TEXT NOT NULL,
              position     INTEGER NOT NULL,
              role         TEXT NOT NULL,
              text         TEXT NOT NULL,
              model        TEXT,
              created      TEXT NOT NULL,
              updated      TEXT NOT NULL,
              UNIQUE (conversation, position)
            )
            """,
            // 6: what llama.cpp's chat layer read of each chat template (by its SHA-256), read once, in a
            // runner of its own, and never again: tools and thinking.
            """
            CREATE TABLE template_checks (
              sha256   TEXT PRIMARY KEY,
              tools    INTEGER NOT NULL,
              thinking INTEGER NOT NULL,
              checked  TEXT NOT NULL
            )
            """,
            // 7: the Responses API's stored responses (io.modeld.responses): the items a response was asked
            // with (the ones before it, from previous_response_id, included) and the response itself.
            """
            CREATE TABLE responses (
              id       TEXT PRIMARY KEY,
              created  TEXT NOT NULL,
              input    TEXT NOT NULL,
              response TEXT NOT NULL
            )
            """);

    static final int LATEST = STEPS.size();

    private Migrations() {
    }
}
