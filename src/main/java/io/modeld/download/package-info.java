/**
 * The download engine: jobs keyed by model, ranged parallel connections, resume, verification, the
 * bandwidth cap and progress. May depend on {@code catalog}, {@code registry} and {@code config}.
 */
package io.modeld.download;
