/** The Ollama door: Ollama's {@code /api} as its code behaves, in its JSON, NDJSON streams and words. */
package io.modeld.api.ollama;
