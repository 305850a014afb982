package io.modeld.engine;

/**
 * An image or an audio clip a conversation holds, as the client sent its bytes (PNG, JPEG, GIF, BMP; WAV, MP3,
 * FLAC). Each stands where {@link #MARKER} stands in the messages' text, in order. On its way to a runner its bytes
 * may wait in a {@code file} instead ({@code data} null: see {@code runtime.MediaHandoff}).
 */
public record Media(Kind kind, byte[] data, String file) {

    public Media(Kind kind, byte[] data) {
        this(kind, data, null);
    }

    /** What marks a media item's place in a message's text: libmtmd's default marker. */
    public static final String MARKER = "<__media__>";

    /** What a media item is. */
    public enum Kind {
        IMAGE, AUDIO
    }
}
