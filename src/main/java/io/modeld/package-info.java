/**
 * modeld: a local model daemon. {@link io.modeld.Daemon} wires the features together; {@code Json} and
 * {@code ModeldException} are the two things every feature shares. Depends on its feature packages only.
 */
package io.modeld;
