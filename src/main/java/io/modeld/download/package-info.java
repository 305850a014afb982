/**
 * The download engine: jobs keyed by model, ranged parallel connections, resume, verification, the
 * bandwidth cap and progress. May depend on {@code catalog}, {@code registry}, {@code gguf} (every file it keeps must be a GGUF
 * model) and {@code config}.
 */
package io.modeld.download;
