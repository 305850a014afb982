package io.modeld.engine;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Turns token pieces into text to show: a piece may hold part of a UTF-8 character (the rest comes
 * with the next token), and text that may be the start of a stop string is held back until it is
 * clear it is not one. A stop string ends the text before it.
 */
final class TextAssembler {

    private final List<String> stops;
    private String matched;
    private final Generation.Output out;
    private final CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
            .onMalformedInput(CodingErrorAction.REPLACE).onUnmappableCharacter(CodingErrorAction.REPLACE);
    private ByteBuffer bytes = ByteBuffer.allocate(64);
    private final StringBuilder held = new StringBuilder();

    TextAssembler(List<String> stops, Generation.Output out) {
        this.stops = stops == null ? List.of() : stops.stream().filter(s -> !s.isEmpty()).toList();
        this.out = out;
    }

    /** Adds a token's bytes; returns true when a stop string was met (the text before it is out). */
    boolean add(byte[] piece) {
        if (bytes.remaining() < piece.length) {
            ByteBuffer bigger = ByteBuffer.allocate(bytes.capacity() + piece.length + 64);
            bytes.flip();
            bigger.put(bytes);
            bytes = bigger;
        }
        bytes.put(piece);
        bytes.flip();
        CharBuffer chars = CharBuffer.allocate(bytes.remaining() + 1);
        CoderResult r = decoder.decode(bytes, chars, false);
        if (r.isError()) {
            throw new IllegalStateException(r.toString());
        }
        bytes.compact();
        chars.flip();
        held.append(chars);
        for (String stop : stops) {
            int at = held.indexOf(stop);
            if (at >= 0) {
                matched = stop;
                held.setLength(at);
                emit(held.length());
                return true;
            }
        }
        emit(held.length() - longestStopPrefixSuffix());
        return false;
    }

    /** The stop string that was met; null while none was. */
    String matched() {
        return matched;
    }

    /** Shows whatever is held back: the generation ended without a stop string. */
    void finish() {
        bytes.flip();
        CharBuffer chars = CharBuffer.allocate(bytes.remaining() * 2 + 2);
        decoder.decode(bytes, chars, true);
        decoder.flush(chars);
        chars.flip();
        held.append(chars);
        bytes.clear();
        emit(held.length());
    }

    /** How many characters at the end of the held text could begin a stop string. */
    private int longestStopPrefixSuffix() {
        int best = 0;
        for (String stop : stops) {
            for (int k = Math.min(stop.length() - 1, held.length()); k > best; k--) {
                if (endsWith(held, stop, k)) {
                    best = k;
                    break;
                }
            }
        }
        return best;
    }

    /** Whether {@code text} ends with the first {@code k} characters of {@code stop}. */
    private static boolean endsWith(StringBuilder text, String stop, int k) {
        int from = text.length() - k;
        for (int i = 0; i < k; i++) {
            if (text.charAt(from + i) != stop.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    private void emit(int count) {
        if (count > 0) {
            out.text(held.substring(0, count));
            held.delete(0, count);
        }
    }
}
