/** GGUF files: a bounded reader of their metadata, and the memory a model needs once loaded. Depends on nothing. */
package io.modeld.gguf;
