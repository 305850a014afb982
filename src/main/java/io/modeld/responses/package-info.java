/**
 * The Responses API's stored responses, where Ollama and llama-server keep none: a response kept (with the
 * input it answered) when its request says {@code store}, found again by {@code previous_response_id}, read
 * and deleted by id, in the same SQLite file as the models (migration 7), so they survive a restart.
 */
package io.modeld.responses;
