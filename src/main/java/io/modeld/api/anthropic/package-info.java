/**
 * The Anthropic door: {@code /v1/messages} and {@code /v1/messages/count_tokens} as Anthropic's Messages API
 * shapes them (what Claude Code and the Anthropic SDKs speak), converted to the one chat form of the core
 * and back, as llama-server's {@code server-chat.cpp} converts them.
 */
package io.modeld.api.anthropic;
