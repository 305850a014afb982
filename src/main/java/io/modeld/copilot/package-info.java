/**
 * Pieces Copilot on local models, with no HTTP in it: conversations and their messages kept in the store
 * ({@link io.modeld.copilot.Conversations}), a question answered in a conversation through the one inference
 * core with the model's own template ({@link io.modeld.copilot.Copilot}), and the model the Pieces SDKs'
 * client asks for by its fixed name ({@link io.modeld.copilot.CopilotModel}). The Pieces door turns these
 * into its JSON and WebSocket frames. May depend on {@code inference}, {@code catalog}, {@code runtime} (its
 * results), {@code engine} (its records), {@code gguf}.
 */
package io.modeld.copilot;
