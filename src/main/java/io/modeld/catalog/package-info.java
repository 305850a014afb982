/**
 * The models: the catalog, the records, the SQLite store with its group commit, and the service every
 * front door reads and changes them through. May depend on {@code gguf}, {@code config} and {@code registry} (references).
 */
package io.modeld.catalog;
