/**
 * OCI registries: references ({@code oci://}, {@code ollama://}, {@code hf://user/repo:QUANT}), the
 * token and Basic auth flows with credentials from Docker's config, manifests of Ollama, Docker Model
 * Runner and ModelPack, and pushing a model. Blobs are downloaded by {@code download}. May depend on
 * {@code config} only.
 */
package io.modeld.registry;
