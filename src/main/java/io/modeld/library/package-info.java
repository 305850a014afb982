/**
 * The models already on the disk: Ollama's store, the Hugging Face cache, LM Studio's folders and any
 * folder the user names, scanned at start and watched while running, each GGUF used where it lies.
 * Nothing here writes under a library root.
 */
package io.modeld.library;
