package io.modeld.download;

/**
 * The Authorization header for a source's own host (never sent after a redirect to another), asked for
 * each request so that a registry token that expires mid-download is renewed, and told when the host
 * refused it. A fixed header (a Hugging Face token) cannot be renewed: a refusal is final.
 */
interface Authorizer {

    /** The header to send now, or null. */
    String header() throws DownloadException;

    /** Whether a refusal (401) can be retried with a new header. */
    boolean renewable();

    /** The host refused the last header. */
    void refused();

    Authorizer NONE = fixed(null);

    static Authorizer fixed(String header) {
        return new Authorizer() {
            @Override
            public String header() {
                return header;
            }

            @Override
            public boolean renewable() {
                return false;
            }

            @Override
            public void refused() {
            }
        };
    }
}
