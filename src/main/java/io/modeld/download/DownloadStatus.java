package io.modeld.download;

import com.fasterxml.jackson.annotation.JsonValue;

/** The Pieces ModelDownloadProgress statuses, each with its spelling on the wire. */
public enum DownloadStatus {
    INITIALIZED("INITIALIZED"),
    IN_PROGRESS("IN-PROGRESS"),
    COMPLETED("COMPLETED"),
    FAILED("FAILED"),
    CANCELED("CANCELED"),
    RESET("RESET"),
    UNKNOWN("UNKNOWN");

    private final String wire;

    DownloadStatus(String wire) {
        this.wire = wire;
    }

    /** How the SDKs spell it, e.g. {@code IN-PROGRESS}. */
    @JsonValue
    public String wire() {
        return wire;
    }

    /** Whether a download ends with this status: after it, no more frames come for that download. */
    public boolean terminal() {
        return this == COMPLETED || this == FAILED || this == CANCELED;
    }

    /** The status spelled {@code wire}; UNKNOWN for anything else. */
    public static DownloadStatus fromWire(String wire) {
        for (DownloadStatus s : values()) {
            if (s.wire.equals(wire)) {
                return s;
            }
        }
        return UNKNOWN;
    }
}
