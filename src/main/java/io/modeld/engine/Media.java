package io.modeld.engine;

/**
 * An image or an audio clip a conversation holds, as the client sent its bytes (PNG, JPEG, GIF, BMP; WAV, MP3,
 * FLAC). Each stands where {@link #MARKER} stands in the messages' text, in order.
 */
public record Media(Kind kind, byte[] data) {

    /** What marks a media item's place in a message's text: libmtmd's default marker. */
    public static final String MARKER = "<__media__>";

    /** What a media item is. */
    public enum Kind {
        IMAGE, AUDIO
    }
}
