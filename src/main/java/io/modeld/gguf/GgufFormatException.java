package io.modeld.gguf;

/** The file is not a GGUF file modeld can read; the message says where and why. */
public final class GgufFormatException extends Exception {

    public GgufFormatException(String message) {
        super(message);
    }
}
