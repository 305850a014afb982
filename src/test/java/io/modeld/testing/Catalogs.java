package io.modeld.testing;

import io.modeld.catalog.Catalog;

/** Facts about the built-in catalog that tests count with. */
public final class Catalogs {

    /** How many models the built-in catalog offers. */
    public static final int BUILT_IN = Catalog.builtIn().size();
    /** What {@code /models} lists on a fresh daemon: the catalog and the Pieces SDKs' "GPT-3.5-turbo Chat Model" alias. */
    public static final int LISTED = BUILT_IN + 1;

    private Catalogs() {
    }
}
