/**
 * Remote models: models that live on another modeld, an Ollama or an OpenAI-compatible server, answered here by
 * forwarding to that server's OpenAI-compatible API ({@link io.modeld.remote.RemoteClient}). Which hosts may be
 * contacted at all (the allow-list) and their keys ({@link io.modeld.remote.RemoteHosts}) live here too; a key is
 * sent to its own host only and never shown. May depend on {@code catalog}, {@code config}, {@code runtime} (the
 * generation's output and result) and {@code engine} (their records); never on HTTP serving.
 */
package io.modeld.remote;
