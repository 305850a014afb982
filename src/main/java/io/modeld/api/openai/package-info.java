/** The OpenAI door: {@code /v1} completions, chat, models, embeddings, and the Jina/Cohere-shaped rerank. */
package io.modeld.api.openai;
