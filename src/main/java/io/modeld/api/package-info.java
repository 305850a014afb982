/**
 * The front doors' shared plumbing: the server ({@link io.modeld.api.ApiServer}, which wires the doors), the
 * guard in front of every request, one error mapping with each door's style ({@link io.modeld.api.ErrorStyle}),
 * the JSON body and field readers, the stream writers (NDJSON, server-sent events, WebSocket
 * {@link io.modeld.api.Outbox}) and the Pieces Model JSON that two doors show. The doors live in
 * {@code api.pieces}, {@code api.ollama}, {@code api.openai} and {@code api.workbench}: each is parse, one
 * call into the services ({@code inference}, {@code download}, {@code catalog}), shape; no door imports
 * another, and nothing here imports a door but the server ({@code ArchitectureTest}).
 */
package io.modeld.api;
