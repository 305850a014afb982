package io.modeld.testing;

import io.modeld.catalog.Catalog;

/** Facts about the built-in catalog that tests count with. */
public final class Catalogs {

    /** How many models the built-in catalog offers. */
    public static final int BUILT_IN = Catalog.builtIn().size();

    private Catalogs() {
    }
}
