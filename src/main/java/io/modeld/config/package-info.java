/** What the daemon is told and where it keeps things: config, data dir layout and lock, sizes, build info. Depends on nothing. */
package io.modeld.config;
