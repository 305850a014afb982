package io.modeld.inference;

import java.util.List;

/** Documents to rank against a query; {@code topN} (0: all) of them are returned, best first. */
public record RerankRequest(String model, String query, List<String> documents, int topN, boolean truncate) {
}
