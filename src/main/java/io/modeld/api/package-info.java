/**
 * The front doors: HTTP routes and WebSocket endpoints of the Pieces, OpenAI and Ollama APIs, thin
 * (parse, call one service, write the answer), with one error mapping per API style. May depend on
 * {@code catalog}, {@code download}, {@code runtime}, {@code gguf} and {@code config}; nothing depends on it
 * but the CLI, for the shared JSON shapes.
 */
package io.modeld.api;
