package io.modeld.api;

import io.modeld.ModeldException;
import io.modeld.engine.Media;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;

/**
 * The images and audio clips of one request, as every door hands them in (a data URL, bare base64), checked before
 * anything decodes them: at most {@value #MAX_ITEMS} items, {@value #MAX_ITEM_MIB} MiB each; an image in a format
 * llama.cpp reads (PNG, JPEG, GIF, BMP), its size read from its header, at most {@value #MAX_SIDE} pixels a side and
 * {@value #MAX_PIXELS} pixels in all (decoded, an image takes 3 bytes a pixel); a clip in WAV, MP3 or FLAC. Each
 * refusal is a 400 that says which item and which bound. Each item accepted is replaced in its message's text by
 * {@link Media#MARKER}, where the model's template puts it. URLs are fetched only by a daemon started with
 * {@code --media-urls} ({@link MediaUrls}): fetching what a client names reaches the daemon's network for it.
 */
public final class MediaInputs {

    public static final int MAX_ITEMS = 16;
    public static final int MAX_ITEM_MIB = 20;
    public static final int MAX_SIDE = 16_384;
    public static final long MAX_PIXELS = 33_554_432L;

    private final List<Media> items = new ArrayList<>();
    /** Fetches http(s) images; null: such URLs are refused. */
    private final MediaUrls urls;

    /** Refusing URLs. */
    public MediaInputs() {
        this(null);
    }

    public MediaInputs(MediaUrls urls) {
        this.urls = urls;
    }

    /** For a request to the daemon of {@code ctx}: its URLs fetched when the daemon allows it. */
    public static MediaInputs of(io.javalin.http.Context ctx) {
        MediaUrls urls;
        try {
            urls = ctx.appData(MediaUrls.KEY);
        } catch (RuntimeException absent) {
            urls = null;
        }
        return new MediaInputs(urls);
    }

    /** The items accepted so far, in order. */
    public List<Media> items() {
        return List.copyOf(items);
    }

    /**
     * An image given as a data URL ({@code data:image/png;base64,...}) or bare base64 at {@code where} (the field,
     * for errors); the marker to put in the text.
     */
    public String image(String value, String where) {
        if (value == null || value.isBlank()) {
            throw ModeldException.invalid(where + ": required, an image as a data URL or base64");
        }
        String v = value.strip();
        String lower = v.toLowerCase(Locale.ROOT);
        if ((lower.startsWith("http://") || lower.startsWith("https://")) && urls != null) {
            return imageBytes(urls.fetch(v, where), where);
        }
        if (lower.startsWith("http://") || lower.startsWith("https://") || lower.startsWith("file:")) {
            throw ModeldException.invalid(where + ": modeld does not fetch images by URL (it would reach the network "
                    + "for the client; a daemon started with --media-urls fetches http and https ones); send the image "
                    + "itself as a data URL (data:image/png;base64,...)");
        }
        return imageBytes(decode(v, where), where);
    }

    /**
     * An image or an audio clip given as base64 (Ollama's {@code images}, which carry both and are told apart by their
     * first bytes, as Ollama does); the marker to put in the text.
     */
    public String imageOrAudio(String value, String where) {
        if (value == null || value.isBlank()) {
            throw ModeldException.invalid(where + ": required, an image or a clip in base64");
        }
        byte[] data = decode(value.strip(), where);
        return audioKind(data) != null ? audioBytes(data, null, where) : imageBytes(data, where);
    }

    /** An image given as its bytes; the marker to put in the text. */
    public String imageBytes(byte[] data, String where) {
        checkCount(where, data.length);
        int[] size = imageSize(data, where);
        if (size[0] > MAX_SIDE || size[1] > MAX_SIDE || (long) size[0] * size[1] > MAX_PIXELS) {
            throw ModeldException.invalid(where + ": the image is " + size[0] + "x" + size[1] + " pixels; at most "
                    + MAX_SIDE + " a side and " + MAX_PIXELS + " in all (scale it down)");
        }
        items.add(new Media(Media.Kind.IMAGE, data));
        return Media.MARKER;
    }

    /**
     * An audio clip given as base64 (or a data URL) at {@code where}, in {@code format} as the client names it
     * (wav, mp3, flac; null: read from its bytes); the marker to put in the text.
     */
    public String audio(String value, String format, String where) {
        if (value == null || value.isBlank()) {
            throw ModeldException.invalid(where + ": required, the clip's bytes in base64");
        }
        return audioBytes(decode(value.strip(), where), format, where);
    }

    /** An audio clip given as its bytes; the marker to put in the text. */
    public String audioBytes(byte[] data, String format, String where) {
        checkCount(where, data.length);
        String kind = audioKind(data);
        if (kind == null) {
            throw ModeldException.invalid(where + ": not a WAV, MP3 or FLAC clip" + (format == null ? ""
                    : " (it was said to be " + format + ")"));
        }
        items.add(new Media(Media.Kind.AUDIO, data));
        return Media.MARKER;
    }

    private void checkCount(String where, int bytes) {
        if (items.size() >= MAX_ITEMS) {
            throw ModeldException.invalid(where + ": more than " + MAX_ITEMS + " images and clips in one request");
        }
        if (bytes > MAX_ITEM_MIB << 20) {
            throw ModeldException.invalid(where + ": " + (bytes >> 20) + " MiB; an image or clip may be at most "
                    + MAX_ITEM_MIB + " MiB");
        }
        if (bytes == 0) {
            throw ModeldException.invalid(where + ": empty");
        }
    }

    private static byte[] decode(String v, String where) {
        String b64 = v;
        if (v.regionMatches(true, 0, "data:", 0, 5)) {
            int comma = v.indexOf(',');
            if (comma < 0 || !v.substring(0, comma).toLowerCase(Locale.ROOT).endsWith(";base64")) {
                throw ModeldException.invalid(where + ": a data URL must be base64 (data:<type>;base64,<data>)");
            }
            b64 = v.substring(comma + 1);
        }
        try {
            return Base64.getMimeDecoder().decode(b64);
        } catch (IllegalArgumentException e) {
            throw ModeldException.invalid(where + ": not valid base64 (" + e.getMessage() + ")");
        }
    }

    /** Width and height from the image's header, without decoding its pixels. */
    private static int[] imageSize(byte[] data, String where) {
        try (ImageInputStream in = ImageIO.createImageInputStream(new ByteArrayInputStream(data))) {
            Iterator<ImageReader> readers = in == null ? java.util.Collections.emptyIterator()
                    : ImageIO.getImageReaders(in);
            while (readers.hasNext()) {
                ImageReader r = readers.next();
                String format = r.getFormatName().toLowerCase(Locale.ROOT);
                if (!List.of("png", "jpeg", "gif", "bmp").contains(format)) {
                    r.dispose();
                    continue;
                }
                try {
                    r.setInput(in, true, true);
                    return new int[] {r.getWidth(0), r.getHeight(0)};
                } finally {
                    r.dispose();
                }
            }
        } catch (IOException | RuntimeException e) {
            throw ModeldException.invalid(where + ": the image cannot be read (" + e.getMessage() + ")");
        }
        throw ModeldException.invalid(where + ": not an image modeld reads; send PNG, JPEG, GIF or BMP");
    }

    /** "wav", "mp3" or "flac" from a clip's first bytes; null for anything else. */
    private static String audioKind(byte[] d) {
        if (d.length >= 12 && d[0] == 'R' && d[1] == 'I' && d[2] == 'F' && d[3] == 'F' && d[8] == 'W' && d[9] == 'A'
                && d[10] == 'V' && d[11] == 'E') {
            return "wav";
        }
        if (d.length >= 4 && d[0] == 'f' && d[1] == 'L' && d[2] == 'a' && d[3] == 'C') {
            return "flac";
        }
        boolean id3 = d.length >= 3 && d[0] == 'I' && d[1] == 'D' && d[2] == '3';
        if (id3 || d.length >= 2 && (d[0] & 0xFF) == 0xFF && (d[1] & 0xE0) == 0xE0) {   // a tag, or a frame's sync
            return "mp3";
        }
        return null;
    }
}
